package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.util.LinkedHashMap;
import java.util.Map;

public class Hello implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final long INIT_PID = ProcessHandle.current().pid();
    private static int calls = 0;

    static {
        System.out.println("init line");
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        calls++;
        LambdaLogger logger = context.getLogger();
        logger.log("from the LambdaLogger");
        logger.log("with a level", LogLevel.WARN);
        System.out.println("plain println");
        if (event.get("sleep") != null) {
            try {
                Thread.sleep(((Number) event.get("sleep")).longValue() * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("calls", calls);
        out.put("pid", ProcessHandle.current().pid());
        out.put("initPid", INIT_PID);
        out.put("event", event);
        out.put("requestId", context.getAwsRequestId());
        out.put("functionName", context.getFunctionName());
        out.put("functionVersion", context.getFunctionVersion());
        out.put("arn", context.getInvokedFunctionArn());
        out.put("memory", context.getMemoryLimitInMB());
        out.put("logGroup", context.getLogGroupName());
        out.put("logStream", context.getLogStreamName());
        out.put("remaining", context.getRemainingTimeInMillis());
        out.put("custom", context.getClientContext() == null ? null : context.getClientContext().getCustom());
        out.put("javaVersion", System.getProperty("java.version"));
        return out;
    }
}
