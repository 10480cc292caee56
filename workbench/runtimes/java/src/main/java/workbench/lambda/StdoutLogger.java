package workbench.lambda;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The LambdaLogger handed to functions. As on AWS, one call is one log record: a message spanning several
 * lines stays one record (its newlines travel as carriage returns), and with a level it reads
 * {@code [INFO] message} (AWS's text format), filtered by AWS_LAMBDA_LOG_LEVEL.
 */
final class StdoutLogger implements LambdaLogger {
    private final PrintStream out;
    private final LogLevel minimum;

    StdoutLogger(PrintStream out) {
        this.out = out;
        String level = System.getenv("AWS_LAMBDA_LOG_LEVEL");
        LogLevel parsed = LogLevel.UNDEFINED;
        if (level != null && !level.isEmpty()) {
            try {
                parsed = LogLevel.valueOf(level.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                parsed = LogLevel.UNDEFINED;
            }
        }
        this.minimum = parsed;
    }

    @Override
    public void log(String message) {
        write(message);
    }

    @Override
    public void log(byte[] message) {
        write(new String(message, StandardCharsets.UTF_8));
    }

    @Override
    public void log(String message, LogLevel level) {
        if (level != LogLevel.UNDEFINED && minimum != LogLevel.UNDEFINED && level.ordinal() < minimum.ordinal()) {
            return;
        }
        write(level == LogLevel.UNDEFINED ? message : "[" + level + "] " + message);
    }

    @Override
    public void log(byte[] message, LogLevel level) {
        log(new String(message, StandardCharsets.UTF_8), level);
    }

    synchronized void write(String message) {
        String text = message == null ? "null" : message;
        while (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        out.print(text.replace("\r\n", "\r").replace('\n', '\r') + "\n");
        out.flush();
    }
}
