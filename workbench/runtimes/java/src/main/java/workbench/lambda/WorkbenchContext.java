package workbench.lambda;

import com.amazonaws.services.lambda.runtime.Client;
import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.util.Map;

/** The {@link Context} of aws-lambda-java-core, filled from one invocation's Runtime API headers. */
final class WorkbenchContext implements Context {
    private final Map<String, String> headers;
    private final LambdaLogger logger;
    private final CognitoIdentity identity;
    private final ClientContext clientContext;
    private final long deadlineMs;

    WorkbenchContext(Map<String, String> headers, LambdaLogger logger, Map<String, Object> identity,
                     Map<String, Object> clientContext) {
        this.headers = headers;
        this.logger = logger;
        this.identity = identity == null ? null : new Identity(identity);
        this.clientContext = clientContext == null ? null : new Client_(clientContext);
        String deadline = headers.get("lambda-runtime-deadline-ms");
        this.deadlineMs = deadline == null ? 0 : Long.parseLong(deadline);
    }

    @Override public String getAwsRequestId() { return headers.get("lambda-runtime-aws-request-id"); }
    @Override public String getLogGroupName() { return System.getenv("AWS_LAMBDA_LOG_GROUP_NAME"); }
    @Override public String getLogStreamName() { return System.getenv("AWS_LAMBDA_LOG_STREAM_NAME"); }
    @Override public String getFunctionName() { return System.getenv("AWS_LAMBDA_FUNCTION_NAME"); }
    @Override public String getFunctionVersion() { return System.getenv("AWS_LAMBDA_FUNCTION_VERSION"); }
    @Override public String getInvokedFunctionArn() { return headers.get("lambda-runtime-invoked-function-arn"); }
    @Override public CognitoIdentity getIdentity() { return identity; }
    @Override public ClientContext getClientContext() { return clientContext; }
    @Override public LambdaLogger getLogger() { return logger; }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, deadlineMs - System.currentTimeMillis());
    }

    @Override
    public int getMemoryLimitInMB() {
        String memory = System.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
        return memory == null ? 0 : Integer.parseInt(memory);
    }

    private static String text(Map<String, Object> map, String key) {
        Object value = map == null ? null : map.get(key);
        return value == null ? null : value.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> strings(Object value) {
        return value instanceof Map ? (Map<String, String>) value : null;
    }

    private static final class Identity implements CognitoIdentity {
        private final Map<String, Object> fields;

        Identity(Map<String, Object> fields) { this.fields = fields; }

        @Override public String getIdentityId() { return text(fields, "cognitoIdentityId"); }
        @Override public String getIdentityPoolId() { return text(fields, "cognitoIdentityPoolId"); }
    }

    /** ClientContext as the mobile SDKs send it: {client: {...}, custom: {...}, env: {...}}. */
    private static final class Client_ implements ClientContext {
        private final Map<String, Object> fields;

        Client_(Map<String, Object> fields) { this.fields = fields; }

        @Override
        @SuppressWarnings("unchecked")
        public Client getClient() {
            Object client = fields.get("client");
            if (!(client instanceof Map)) {
                return null;
            }
            Map<String, Object> c = (Map<String, Object>) client;
            return new Client() {
                @Override public String getInstallationId() { return text(c, "installation_id"); }
                @Override public String getAppTitle() { return text(c, "app_title"); }
                @Override public String getAppVersionName() { return text(c, "app_version_name"); }
                @Override public String getAppVersionCode() { return text(c, "app_version_code"); }
                @Override public String getAppPackageName() { return text(c, "app_package_name"); }
            };
        }

        @Override public Map<String, String> getCustom() { return strings(fields.get("custom")); }
        @Override public Map<String, String> getEnvironment() { return strings(fields.get("env")); }
    }
}
