// The context, init reuse and the runtime's log formats, through an instance handler whose constructor is
// the function's init code.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using Amazon.Lambda.Core;

[assembly: LambdaSerializer(typeof(Amazon.Lambda.Serialization.SystemTextJson.DefaultLambdaJsonSerializer))]

namespace Example
{
    public class Hello
    {
        private static int calls;
        private readonly int initPid;

        public Hello()
        {
            initPid = Process.GetCurrentProcess().Id;
            Console.WriteLine("init line");
        }

        public Dictionary<string, object> Handle(Dictionary<string, object> input, ILambdaContext context)
        {
            calls++;
            object sleep;
            if (input.TryGetValue("sleep", out sleep)) Thread.Sleep(Convert.ToInt32(sleep) * 1000);
            context.Logger.LogLine("from the context's logger");
            context.Logger.LogWarning("with a level");
            context.Logger.LogDebug("below the minimum level");
            Console.WriteLine("plain WriteLine");
            LambdaLogger.Log("from LambdaLogger");
            Console.Error.WriteLine("to stderr\nsecond line");
            var result = new Dictionary<string, object>
            {
                { "calls", calls },
                { "pid", Process.GetCurrentProcess().Id },
                { "initPid", initPid },
                { "event", input },
                { "requestId", context.AwsRequestId },
                { "functionName", context.FunctionName },
                { "functionVersion", context.FunctionVersion },
                { "arn", context.InvokedFunctionArn },
                { "memory", context.MemoryLimitInMB },
                { "logGroup", context.LogGroupName },
                { "logStream", context.LogStreamName },
                { "remaining", (long)context.RemainingTime.TotalMilliseconds },
                { "traceId", Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID") },
            };
            if (context.ClientContext != null) result["custom"] = context.ClientContext.Custom;
            return result;
        }
    }
}
