// Lambda Workbench's .NET runtime on Mono: loads the handler from /var/task and serves invocations over
// the Runtime API, as AWS's .NET runtime (Amazon.Lambda.RuntimeSupport) does. Errors come back as
// {"errorType": <exception's type name>, "errorMessage", "stackTrace": [frames]} and are logged as that
// runtime logs them: the exception's ToString() at the fail level, one record.

using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Text;
using Amazon.Lambda.Core;
using Amazon.Lambda.Serialization.SystemTextJson;

namespace Workbench.Lambda
{
    public static class Program
    {
        private static readonly Encoding Utf8 = new UTF8Encoding(false);

        public static int Main()
        {
            var sink = new LogSink(Console.OpenStandardOutput());
            Console.SetOut(new ConsoleWriter(sink, "Information"));
            Console.SetError(new ConsoleWriter(sink, "Error"));
            RedirectLambdaLogger(sink);
            string taskRoot = Environment.GetEnvironmentVariable("LAMBDA_TASK_ROOT") ?? "/var/task";
            string opt = Environment.GetEnvironmentVariable("WORKBENCH_OPT_DIR") ?? "/opt";
            ResolveFrom(taskRoot, opt);
            var client = new RuntimeClient(Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API"));
            var logger = new ContextLogger(sink);

            Handler handler;
            try
            {
                handler = Handler.Load(Environment.GetEnvironmentVariable("_HANDLER"), taskRoot);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine(e);
                client.PostInitError(ErrorDocument(e), "Runtime.Unknown");
                return 1;
            }

            while (true)
            {
                RuntimeResponse next = client.Next();
                var context = new Context(next, logger);
                sink.RequestId = context.AwsRequestId ?? "";
                Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", next.Header("Lambda-Runtime-Trace-Id"));
                byte[] response;
                try
                {
                    response = handler.Invoke(next.Body, context);
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine(e);
                    client.PostError(context.AwsRequestId, ErrorDocument(e), "Unhandled");
                    continue;
                }
                client.PostResponse(context.AwsRequestId, response);
            }
        }

        /// <summary>LambdaLogger.Log writes records without a level, through the field AWS's runtime sets.</summary>
        private static void RedirectLambdaLogger(LogSink sink)
        {
            FieldInfo field = typeof(LambdaLogger).GetField("_loggingAction", BindingFlags.NonPublic | BindingFlags.Static);
            Action<string> action = message => sink.Record(null, message);
            field.SetValue(null, action);
        }

        /// <summary>The function's other assemblies: beside its handler's, then in its layers (/opt).</summary>
        private static void ResolveFrom(params string[] folders)
        {
            AppDomain.CurrentDomain.AssemblyResolve += (sender, args) =>
            {
                string name = new AssemblyName(args.Name).Name;
                foreach (string folder in folders)
                {
                    string path = Path.Combine(folder, name + ".dll");
                    if (File.Exists(path)) return Assembly.LoadFrom(path);
                }
                return null;
            };
        }

        private static byte[] ErrorDocument(Exception e)
        {
            return Utf8.GetBytes(new JsonMapper(false).Write(Describe(e)));
        }

        /// <summary>AWS's shape: errorType, errorMessage, stackTrace, and the inner exception as cause.</summary>
        private static Dictionary<string, object> Describe(Exception e)
        {
            var error = new Dictionary<string, object>();
            error["errorType"] = e.GetType().Name;
            error["errorMessage"] = e.Message;
            var frames = new List<string>();
            if (!string.IsNullOrEmpty(e.StackTrace))
            {
                foreach (string line in e.StackTrace.Split('\n'))
                {
                    string frame = line.Trim();
                    if (frame.Length > 0 && !frame.StartsWith("at Workbench.Lambda.", StringComparison.Ordinal)
                        && !frame.StartsWith("at System.Reflection.", StringComparison.Ordinal)
                        && !frame.StartsWith("at (wrapper ", StringComparison.Ordinal)
                        && !frame.StartsWith("--- End of stack trace", StringComparison.Ordinal)
                        && !frame.StartsWith("at System.Runtime.ExceptionServices.", StringComparison.Ordinal)
                        && !frame.StartsWith("at System.Runtime.CompilerServices.TaskAwaiter", StringComparison.Ordinal))
                        frames.Add(frame);
                }
            }
            if (frames.Count > 0) error["stackTrace"] = frames;
            if (e.InnerException != null) error["cause"] = Describe(e.InnerException);
            return error;
        }
    }
}
