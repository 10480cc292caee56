// Lambda Workbench's Amazon.Lambda.Core for Mono: the API of AWS's Amazon.Lambda.Core 2.x package
// (ILambdaContext, ILambdaLogger, LambdaLogger, ILambdaSerializer, LambdaSerializerAttribute), written
// here so that C# functions compile and run on Debian's Mono, where the NuGet package cannot be had.
// The members that AWS adds as default interface methods (LogInformation, ...) are plain interface
// members here: Mono's compiler does not know default interface methods.

using System;
using System.Collections.Generic;
using System.IO;

[assembly: System.Reflection.AssemblyVersion("2.0.0.0")]

namespace Amazon.Lambda.Core
{
    /// <summary>The invocation's context: who is called, by which request, and how long it has left.</summary>
    public interface ILambdaContext
    {
        string AwsRequestId { get; }
        IClientContext ClientContext { get; }
        string FunctionName { get; }
        string FunctionVersion { get; }
        ICognitoIdentity Identity { get; }
        string InvokedFunctionArn { get; }
        ILambdaLogger Logger { get; }
        string LogGroupName { get; }
        string LogStreamName { get; }
        int MemoryLimitInMB { get; }
        TimeSpan RemainingTime { get; }
    }

    /// <summary>The mobile SDK's client context, when the invoker sent one.</summary>
    public interface IClientContext
    {
        IDictionary<string, string> Environment { get; }
        IClientApplication Client { get; }
        IDictionary<string, string> Custom { get; }
    }

    public interface IClientApplication
    {
        string AppPackageName { get; }
        string AppTitle { get; }
        string AppVersionCode { get; }
        string AppVersionName { get; }
        string InstallationId { get; }
    }

    /// <summary>The Amazon Cognito identity of the invoker, when there is one.</summary>
    public interface ICognitoIdentity
    {
        string IdentityId { get; }
        string IdentityPoolId { get; }
    }

    /// <summary>Log levels, in the order AWS_LAMBDA_HANDLER_LOG_LEVEL filters them.</summary>
    public enum LogLevel
    {
        Trace = 0,
        Debug = 1,
        Information = 2,
        Warning = 3,
        Error = 4,
        Critical = 5,
        None = 6,
    }

    /// <summary>The logger on the context: one call is one log record.</summary>
    public interface ILambdaLogger
    {
        /// <summary>Writes the message as it is (no time, request id or newline), as AWS's runtime does.</summary>
        void Log(string message);
        /// <summary>Writes one record at the Information level.</summary>
        void LogLine(string message);
        void Log(string level, string message);
        void Log(LogLevel level, string message);
        void LogTrace(string message);
        void LogDebug(string message);
        void LogInformation(string message);
        void LogWarning(string message);
        void LogError(string message);
        void LogCritical(string message);
    }

    /// <summary>A static logger for code that has no context at hand. The runtime redirects it to the
    /// function's log (time and request id, no level), through the private field AWS's runtime sets too.</summary>
    public static class LambdaLogger
    {
        private static Action<string> _loggingAction = message => Console.Write(message);

        public static void Log(string message)
        {
            _loggingAction(message);
        }
    }

    /// <summary>Turns the event into the handler's input type and its result into the response.</summary>
    public interface ILambdaSerializer
    {
        T Deserialize<T>(Stream requestStream);
        void Serialize<T>(T response, Stream responseStream);
    }

    /// <summary>Names the ILambdaSerializer of an assembly or of one handler method.</summary>
    [AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Method, AllowMultiple = false)]
    public sealed class LambdaSerializerAttribute : Attribute
    {
        public LambdaSerializerAttribute(Type serializerType)
        {
            SerializerType = serializerType;
        }

        public Type SerializerType { get; set; }
    }
}
