// ILambdaContext for one invocation, from the Runtime API's headers and the environment.

using System;
using System.Collections.Generic;
using System.Globalization;
using Amazon.Lambda.Core;
using Amazon.Lambda.Serialization.SystemTextJson;

namespace Workbench.Lambda
{
    internal sealed class Context : ILambdaContext
    {
        private static readonly int Memory = ParseMemory();
        private readonly long _deadlineMs;

        public Context(RuntimeResponse next, ILambdaLogger logger)
        {
            AwsRequestId = next.Header("Lambda-Runtime-Aws-Request-Id");
            InvokedFunctionArn = next.Header("Lambda-Runtime-Invoked-Function-Arn");
            long.TryParse(next.Header("Lambda-Runtime-Deadline-Ms"), NumberStyles.Integer, CultureInfo.InvariantCulture,
                          out _deadlineMs);
            Logger = logger;
            Identity = CognitoIdentity.From(Members(next.Header("Lambda-Runtime-Cognito-Identity")));
            ClientContext = Workbench.Lambda.ClientContext.From(Members(next.Header("Lambda-Runtime-Client-Context")));
        }

        public string AwsRequestId { get; private set; }
        public IClientContext ClientContext { get; private set; }
        public string FunctionName { get { return Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME"); } }
        public string FunctionVersion { get { return Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_VERSION"); } }
        public ICognitoIdentity Identity { get; private set; }
        public string InvokedFunctionArn { get; private set; }
        public ILambdaLogger Logger { get; private set; }
        public string LogGroupName { get { return Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_GROUP_NAME"); } }
        public string LogStreamName { get { return Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_STREAM_NAME"); } }
        public int MemoryLimitInMB { get { return Memory; } }

        public TimeSpan RemainingTime
        {
            get
            {
                long now = (long)(DateTime.UtcNow - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalMilliseconds;
                return TimeSpan.FromMilliseconds(Math.Max(0, _deadlineMs - now));
            }
        }

        private static int ParseMemory()
        {
            int memory;
            int.TryParse(Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), NumberStyles.Integer,
                         CultureInfo.InvariantCulture, out memory);
            return memory;
        }

        /// <summary>The members of a JSON object header, or null when it is absent or not an object.</summary>
        private static Dictionary<string, object> Members(string json)
        {
            if (string.IsNullOrEmpty(json)) return null;
            try
            {
                return JsonMapper.Plain(JsonReader.Parse(json)) as Dictionary<string, object>;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        internal static string Text(Dictionary<string, object> members, string key)
        {
            object value;
            return members != null && members.TryGetValue(key, out value) && value != null
                ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
        }

        internal static IDictionary<string, string> Strings(Dictionary<string, object> members, string key)
        {
            object value;
            var nested = members != null && members.TryGetValue(key, out value) ? value as Dictionary<string, object> : null;
            if (nested == null) return null;
            var result = new Dictionary<string, string>();
            foreach (var pair in nested) result[pair.Key] = Text(nested, pair.Key);
            return result;
        }
    }

    internal sealed class CognitoIdentity : ICognitoIdentity
    {
        public string IdentityId { get; private set; }
        public string IdentityPoolId { get; private set; }

        public static ICognitoIdentity From(Dictionary<string, object> members)
        {
            if (members == null) return null;
            return new CognitoIdentity
            {
                IdentityId = Context.Text(members, "cognitoIdentityId"),
                IdentityPoolId = Context.Text(members, "cognitoIdentityPoolId"),
            };
        }
    }

    internal sealed class ClientApplication : IClientApplication
    {
        public string AppPackageName { get; set; }
        public string AppTitle { get; set; }
        public string AppVersionCode { get; set; }
        public string AppVersionName { get; set; }
        public string InstallationId { get; set; }
    }

    internal sealed class ClientContext : IClientContext
    {
        public IDictionary<string, string> Environment { get; private set; }
        public IClientApplication Client { get; private set; }
        public IDictionary<string, string> Custom { get; private set; }

        public static IClientContext From(Dictionary<string, object> members)
        {
            if (members == null) return null;
            object client;
            var app = members.TryGetValue("client", out client) ? client as Dictionary<string, object> : null;
            return new ClientContext
            {
                Environment = Context.Strings(members, "env"),
                Custom = Context.Strings(members, "custom"),
                Client = app == null ? null : new ClientApplication
                {
                    AppPackageName = Context.Text(app, "app_package_name"),
                    AppTitle = Context.Text(app, "app_title"),
                    AppVersionCode = Context.Text(app, "app_version_code"),
                    AppVersionName = Context.Text(app, "app_version_name"),
                    InstallationId = Context.Text(app, "installation_id"),
                },
            };
        }
    }
}
