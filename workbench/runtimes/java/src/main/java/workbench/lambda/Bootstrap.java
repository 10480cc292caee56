package workbench.lambda;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lambda Workbench's Java runtime: loads the function from /var/task (classes, then lib/*.jar) and
 * /opt/java/lib/*.jar, as AWS's Java runtime does, and serves invocations over the Runtime API. Errors
 * come back in AWS's shape (errorMessage, errorType, stackTrace) and are logged as the Java runtime logs
 * them: "message: type" followed by the stack trace, in one record.
 */
public final class Bootstrap {
    private Bootstrap() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        System.setOut(stdout);
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, "UTF-8"));
        StdoutLogger logger = new StdoutLogger(stdout);
        installGlobalLogger(logger);
        RuntimeClient client = new RuntimeClient(System.getenv("AWS_LAMBDA_RUNTIME_API"));
        ClassLoader loader = functionClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        HandlerLoader.Invoker invoker;
        try {
            invoker = HandlerLoader.load(System.getenv("_HANDLER"), loader);
        } catch (Throwable e) {
            Throwable reported = e instanceof HandlerLoader.Fault && e.getCause() != null ? e.getCause() : e;
            String message = e instanceof HandlerLoader.Fault ? e.getMessage() : messageOf(e);
            logger.write(reportable(message, reported));
            client.postInitError(errorDocument(message, reported), "Runtime.Unknown");
            System.exit(1);
            return;
        }
        PojoSerializer<Object> maps = mapSerializer();
        while (true) {
            RuntimeClient.Response next = client.next();
            String requestId = next.headers.get("lambda-runtime-aws-request-id");
            String traceId = next.headers.get("lambda-runtime-trace-id");
            if (traceId != null) {
                System.setProperty("com.amazonaws.xray.traceHeader", traceId);
            } else {
                System.clearProperty("com.amazonaws.xray.traceHeader");
            }
            WorkbenchContext context = new WorkbenchContext(next.headers, logger,
                    parse(maps, next.headers.get("lambda-runtime-cognito-identity")),
                    parse(maps, next.headers.get("lambda-runtime-client-context")));
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            try {
                invoker.invoke(new ByteArrayInputStream(next.body), output, context);
            } catch (Throwable e) {
                Throwable reported = e instanceof HandlerLoader.Fault && e.getCause() != null ? e.getCause() : e;
                String message = e instanceof HandlerLoader.Fault ? e.getMessage() : messageOf(e);
                stdout.flush();
                logger.write(reportable(message, reported));
                client.postError(requestId, errorDocument(message, reported), "Unhandled");
                continue;
            }
            stdout.flush();
            client.postResponse(requestId, output.toByteArray());
        }
    }

    /** Functions that call LambdaRuntime.getLogger() get ours, as on AWS. */
    private static void installGlobalLogger(LambdaLogger logger) {
        try {
            Field field = LambdaRuntime.class.getDeclaredField("logger");
            field.setAccessible(true);
            field.set(null, logger);
        } catch (ReflectiveOperationException | RuntimeException e) {
            logger.log("workbench: could not install LambdaRuntime's logger: " + e);
        }
    }

    private static ClassLoader functionClassLoader() throws MalformedURLException {
        String taskRoot = System.getenv().getOrDefault("LAMBDA_TASK_ROOT", "/var/task");
        String opt = System.getenv().getOrDefault("WORKBENCH_OPT_DIR", "/opt");
        List<URL> urls = new ArrayList<>();
        urls.add(new File(taskRoot).toURI().toURL());
        addJars(urls, new File(taskRoot, "lib"));
        addJars(urls, new File(opt, "java/lib"));
        return new URLClassLoader(urls.toArray(new URL[0]), Bootstrap.class.getClassLoader());
    }

    private static void addJars(List<URL> urls, File folder) throws MalformedURLException {
        File[] jars = folder.listFiles((dir, name) -> name.endsWith(".jar"));
        if (jars != null) {
            Arrays.sort(jars);
            for (File jar : jars) {
                urls.add(jar.toURI().toURL());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static PojoSerializer<Object> mapSerializer() {
        return (PojoSerializer<Object>) (PojoSerializer<?>) JacksonFactory.getInstance().getSerializer(Map.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(PojoSerializer<Object> maps, String json) {
        if (json == null || json.isEmpty()) {
            return null;
        }
        try {
            return (Map<String, Object>) maps.fromJson(json);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String messageOf(Throwable e) {
        return e.getLocalizedMessage() == null ? e.getClass().getName() : e.getLocalizedMessage();
    }

    private static String reportable(String message, Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        return message + ": " + e.getClass().getName() + "\n" + trace;
    }

    private static byte[] errorDocument(String message, Throwable e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("errorMessage", message);
        error.put("errorType", e.getClass().getName());
        List<String> frames = new ArrayList<>();
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().startsWith("workbench.lambda.")) {
                break;  // our own frames (and the reflection under them) are not the function's
            }
            if (!frame.getClassName().startsWith("jdk.internal.reflect.")
                    && !frame.getClassName().startsWith("java.lang.reflect.")) {
                frames.add(frame.toString());
            }
        }
        error.put("stackTrace", frames);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mapSerializer().toJson(error, out);
        return out.toByteArray();
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
