// The function's log, formatted as AWS's .NET runtime formats it (Amazon.Lambda.RuntimeSupport's
// LogLevelLoggerWriter): each Console.WriteLine, ILambdaLogger.LogLine and ILambdaLogger.Log(level, ...)
// is one record "<UTC time>\t<request id>\t<level>\t<message>" (levels trce, dbug, info, warn, fail, crit;
// Console.Error is fail), LambdaLogger.Log has no level, Console.Write and ILambdaLogger.Log(message) go
// out unformatted. AWS_LAMBDA_HANDLER_LOG_LEVEL (or AWS_LAMBDA_LOG_LEVEL) drops lower levels;
// AWS_LAMBDA_HANDLER_LOG_FORMAT=Unformatted writes messages alone. A message of several lines stays one
// record: its newlines travel as carriage returns, as through Lambda's telemetry descriptor.

using System;
using System.Globalization;
using System.IO;
using System.Text;
using Amazon.Lambda.Core;

namespace Workbench.Lambda
{
    internal sealed class LogSink
    {
        private readonly Stream _out;
        private readonly object _lock = new object();
        private readonly LogLevel _minimum = LogLevel.Information;
        private readonly bool _unformatted;
        private static readonly Encoding Utf8 = new UTF8Encoding(false);

        public string RequestId = "";

        public LogSink(Stream output)
        {
            _out = output;
            string level = Environment.GetEnvironmentVariable("AWS_LAMBDA_HANDLER_LOG_LEVEL");
            LogLevel parsed;
            if (!string.IsNullOrEmpty(level) && Enum.TryParse(level, true, out parsed))
                _minimum = parsed;
            else if (TryAwsLevel(Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_LEVEL"), out parsed))
                _minimum = parsed;
            string format = Environment.GetEnvironmentVariable("AWS_LAMBDA_HANDLER_LOG_FORMAT");
            _unformatted = format != null && format.Equals("Unformatted", StringComparison.OrdinalIgnoreCase);
        }

        private static bool TryAwsLevel(string name, out LogLevel level)
        {
            level = LogLevel.Information;
            switch ((name ?? "").ToUpperInvariant())
            {
                case "TRACE": level = LogLevel.Trace; return true;
                case "DEBUG": level = LogLevel.Debug; return true;
                case "INFO": level = LogLevel.Information; return true;
                case "WARN": level = LogLevel.Warning; return true;
                case "ERROR": level = LogLevel.Error; return true;
                case "FATAL": level = LogLevel.Critical; return true;
                default: return false;
            }
        }

        private static string Label(LogLevel level)
        {
            switch (level)
            {
                case LogLevel.Trace: return "trce";
                case LogLevel.Debug: return "dbug";
                case LogLevel.Information: return "info";
                case LogLevel.Warning: return "warn";
                case LogLevel.Error: return "fail";
                case LogLevel.Critical: return "crit";
                default: return level.ToString();
            }
        }

        /// <summary>One record; ``level`` null for none (LambdaLogger.Log), else a LogLevel name or any text.</summary>
        public void Record(string level, string message)
        {
            string shown = level;
            LogLevel parsed;
            if (level != null && Enum.TryParse(level, true, out parsed) && Enum.IsDefined(typeof(LogLevel), parsed))
            {
                if (parsed < _minimum) return;
                shown = Label(parsed);
            }
            string text = (message ?? "").TrimEnd('\n').Replace("\r\n", "\r").Replace('\n', '\r');
            string line;
            if (_unformatted)
                line = text;
            else
            {
                string time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                line = string.IsNullOrEmpty(shown) ? time + "\t" + RequestId + "\t" + text
                                                   : time + "\t" + RequestId + "\t" + shown + "\t" + text;
            }
            Raw(line + "\n");
        }

        public void Raw(string text)
        {
            byte[] bytes = Utf8.GetBytes(text);
            lock (_lock)
            {
                _out.Write(bytes, 0, bytes.Length);
                _out.Flush();
            }
        }
    }

    /// <summary>Console.Out (level info) or Console.Error (level fail): WriteLine makes a record, Write passes
    /// text through unformatted.</summary>
    internal sealed class ConsoleWriter : TextWriter
    {
        private readonly LogSink _sink;
        private readonly string _level;

        public ConsoleWriter(LogSink sink, string level)
        {
            _sink = sink;
            _level = level;
        }

        public override Encoding Encoding { get { return Encoding.UTF8; } }
        public override IFormatProvider FormatProvider { get { return CultureInfo.InvariantCulture; } }

        public override void Write(char value) { _sink.Raw(value.ToString()); }
        public override void Write(string value) { if (value != null) _sink.Raw(value); }
        public override void Write(char[] buffer, int index, int count) { _sink.Raw(new string(buffer, index, count)); }

        public override void WriteLine() { _sink.Record(_level, ""); }
        public override void WriteLine(string value) { _sink.Record(_level, value); }
        public override void WriteLine(object value) { _sink.Record(_level, value == null ? "" : value.ToString()); }
        public override void WriteLine(bool value) { _sink.Record(_level, value.ToString()); }
        public override void WriteLine(char value) { _sink.Record(_level, value.ToString()); }
        public override void WriteLine(char[] buffer) { _sink.Record(_level, buffer == null ? "" : new string(buffer)); }
        public override void WriteLine(char[] buffer, int index, int count) { _sink.Record(_level, new string(buffer, index, count)); }
        public override void WriteLine(int value) { _sink.Record(_level, value.ToString(CultureInfo.InvariantCulture)); }
        public override void WriteLine(long value) { _sink.Record(_level, value.ToString(CultureInfo.InvariantCulture)); }
        public override void WriteLine(uint value) { _sink.Record(_level, value.ToString(CultureInfo.InvariantCulture)); }
        public override void WriteLine(ulong value) { _sink.Record(_level, value.ToString(CultureInfo.InvariantCulture)); }
        public override void WriteLine(float value) { _sink.Record(_level, value.ToString(CultureInfo.InvariantCulture)); }
        public override void WriteLine(double value) { _sink.Record(_level, value.ToString(CultureInfo.InvariantCulture)); }
        public override void WriteLine(decimal value) { _sink.Record(_level, value.ToString(CultureInfo.InvariantCulture)); }
        public override void WriteLine(string format, object arg0) { _sink.Record(_level, string.Format(format, arg0)); }
        public override void WriteLine(string format, object arg0, object arg1) { _sink.Record(_level, string.Format(format, arg0, arg1)); }
        public override void WriteLine(string format, object arg0, object arg1, object arg2) { _sink.Record(_level, string.Format(format, arg0, arg1, arg2)); }
        public override void WriteLine(string format, params object[] arg) { _sink.Record(_level, string.Format(format, arg)); }
    }

    /// <summary>The ILambdaLogger on the context (AWS's LambdaConsoleLogger).</summary>
    internal sealed class ContextLogger : ILambdaLogger
    {
        private readonly LogSink _sink;

        public ContextLogger(LogSink sink) { _sink = sink; }

        public void Log(string message) { Console.Write(message); }
        public void LogLine(string message) { _sink.Record("Information", message); }
        public void Log(string level, string message) { _sink.Record(level, message); }
        public void Log(LogLevel level, string message) { _sink.Record(level.ToString(), message); }
        public void LogTrace(string message) { _sink.Record("Trace", message); }
        public void LogDebug(string message) { _sink.Record("Debug", message); }
        public void LogInformation(string message) { _sink.Record("Information", message); }
        public void LogWarning(string message) { _sink.Record("Warning", message); }
        public void LogError(string message) { _sink.Record("Error", message); }
        public void LogCritical(string message) { _sink.Record("Critical", message); }
    }
}
