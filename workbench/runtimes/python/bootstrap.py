"""Lambda Workbench's Python runtime: a Runtime API client that runs `module.function` handlers.

Self-contained on purpose (standard library only, Python 3.8+): it is started inside every Python
execution environment, on the host or in a container, before any user code. It behaves like AWS's managed
Python runtime: the same context object, error types and messages, and log line format.
"""

import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback

_API_PREFIX = "/2018-06-01/runtime"


class RuntimeClient:
    """A keep-alive HTTP/1.1 connection to this environment's Runtime API.

    Hand-written on purpose: http.client parses headers with the email package, which costs more than the
    whole rest of a warm invocation. The Runtime API is a known peer on loopback speaking plain HTTP/1.1.
    """

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self._address = (host, int(port))
        self._host_header = ("Host: %s\r\n" % address).encode()
        self._sock = None
        self._buffer = b""
        #: A posted result not yet sent: it goes with the next `next` (see next_invocation).
        self._result = None

    def _connect(self):
        self._sock = socket.create_connection(self._address)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def _read_more(self):
        chunk = self._sock.recv(65536)
        if not chunk:
            raise ConnectionError("Runtime API closed the connection")
        self._buffer += chunk

    def _read_response(self):
        while b"\r\n\r\n" not in self._buffer:
            self._read_more()
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return status, headers, self._read_chunked()
        length = int(headers.get("content-length") or 0)
        while len(self._buffer) < length:
            self._read_more()
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        return status, headers, body

    def _read_chunked(self):
        body = b""
        while True:
            while b"\r\n" not in self._buffer:
                self._read_more()
            size_line, _, self._buffer = self._buffer.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(self._buffer) < size + 2:
                self._read_more()
            body += self._buffer[:size]
            self._buffer = self._buffer[size + 2:]
            if size == 0:
                return body

    def _message(self, method, path, body=b"", headers=""):
        return ("%s %s%s HTTP/1.1\r\n" % (method, _API_PREFIX, path)).encode() + self._host_header + \
            ("%sContent-Length: %d\r\n\r\n" % (headers, len(body))).encode() + body

    def _exchange(self, message, answers):
        """Send ``message`` (one request, or a result and `next` pipelined) and read ``answers`` responses;
        returns the last one."""
        for attempt in (1, 2):
            try:
                if self._sock is None:
                    self._connect()
                self._sock.sendall(message)
                for _ in range(answers - 1):
                    self._read_response()
                return self._read_response()
            except (OSError, ValueError):
                if self._sock is not None:
                    self._sock.close()
                self._sock = None
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")

    def _request(self, method, path, body=b"", headers=""):
        return self._exchange(self._message(method, path, body, headers), 1)

    def next_invocation(self):
        """The next event. An invocation's result waiting to be posted goes first, in the same write (HTTP/1.1
        pipelining): one round trip per invocation instead of two. The runtime would ask for its next event
        right after posting anyway, and the Runtime API answers requests on a connection in order."""
        result, self._result = self._result, None
        if result is None:
            status, headers, body = self._request("GET", "/invocation/next")
        else:
            status, headers, body = self._exchange(result + self._message("GET", "/invocation/next"), 2)
        if status != 200:
            raise RuntimeError("Runtime API next returned %d: %r" % (status, body))
        return headers, body

    def post_response(self, request_id, body):
        self._result = self._message("POST", "/invocation/%s/response" % request_id, body,
                                     "Content-Type: application/json\r\n")

    def post_error(self, request_id, error, error_type):
        self._result = self._message(
            "POST", "/invocation/%s/error" % request_id, json.dumps(error).encode(),
            "Content-Type: application/json\r\nLambda-Runtime-Function-Error-Type: %s\r\n" % error_type)

    def post_init_error(self, error, error_type):
        self._request("POST", "/init/error", json.dumps(error).encode(),
                      "Content-Type: application/json\r\nLambda-Runtime-Function-Error-Type: %s\r\n" % error_type)


class FaultError(Exception):
    """An error the runtime itself reports, with a Lambda error type such as Runtime.ImportModuleError."""

    def __init__(self, error_type, message, trace=None):
        Exception.__init__(self, message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


# -- context -------------------------------------------------------------------------------------------
class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __init__(self, identity):
        self.cognito_identity_id = identity.get("cognitoIdentityId")
        self.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")


class Client(object):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]

    def __init__(self, client):
        for name in self.__slots__:
            setattr(self, name, client.get(name))


class ClientContext(object):
    __slots__ = ["client", "custom", "env"]

    def __init__(self, context):
        client = context.get("client")
        self.client = Client(client) if isinstance(client, dict) else None
        self.custom = context.get("custom")
        self.env = context.get("env")


class LambdaContext(object):
    def __init__(self, request_id, deadline_ms, invoked_function_arn, identity, client_context, tenant_id):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = CognitoIdentity(identity or {})
        self.client_context = ClientContext(client_context) if client_context else None
        self.tenant_id = tenant_id
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def __repr__(self):
        return ("LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,"
                "memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s,client_context=%s,"
                "identity=%s])" % (self.aws_request_id, self.log_group_name, self.log_stream_name,
                                   self.function_name, self.memory_limit_in_mb, self.function_version,
                                   self.invoked_function_arn, self.client_context, self.identity))


# -- logging ---------------------------------------------------------------------------------------------
class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = _RequestIdFilter.request_id
        return True


class _LambdaLogHandler(logging.StreamHandler):
    """AWS keeps one log record on one line: newlines inside a record travel as carriage returns."""

    def format(self, record):
        return logging.StreamHandler.format(self, record).replace("\n", "\r")


def _install_logging():
    handler = _LambdaLogHandler(sys.stdout)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        root.setLevel(level.upper())


def _log_error(error):
    lines = ["[ERROR] %s: %s" % (error["errorType"], error["errorMessage"])]
    if error.get("stackTrace"):
        lines.append("Traceback (most recent call last):")
        lines.extend(frame.rstrip("\n") for frame in error["stackTrace"])
    sys.stdout.write("\r".join(lines).replace("\n", "\r") + "\n")
    sys.stdout.flush()


# -- handler loading ----------------------------------------------------------------------------------
def _user_trace(tb):
    return traceback.format_list(traceback.extract_tb(tb))


def load_handler(handler):
    try:
        module_path, function_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise FaultError("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, exc))
    module_name = module_path.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise FaultError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, exc),
                         _user_trace(exc.__traceback__.tb_next if exc.__traceback__ else None))
    except SyntaxError as exc:
        raise FaultError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, exc),
                         ['  File "%s" Line %s\n    %s\n' % (exc.filename, exc.lineno, (exc.text or "").strip())])
    except Exception as exc:  # noqa: BLE001 - any failure in user init code is reported, not raised
        trace = _user_trace(exc.__traceback__.tb_next if exc.__traceback__ else None)
        raise FaultError(type(exc).__name__, str(exc), trace)
    function = getattr(module, function_name, None)
    if function is None:
        raise FaultError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'"
                         % (function_name, module_name))
    return function


def _fault_document(fault, request_id=""):
    return {"errorMessage": fault.message, "errorType": fault.error_type, "requestId": request_id,
            "stackTrace": fault.trace or []}


def _exception_document(exc, request_id):
    return {"errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": request_id,
            "stackTrace": _user_trace(exc.__traceback__.tb_next if exc.__traceback__ else None)}


def _prepare_paths():
    task_root = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
    opt = os.environ.get("WORKBENCH_OPT_DIR", "/opt")
    version = "python%d.%d" % sys.version_info[:2]
    extra = [task_root, os.path.join(opt, "python", "lib", version, "site-packages"), os.path.join(opt, "python")]
    runtime_dir = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if entry not in extra and os.path.abspath(entry or ".") != runtime_dir]
    if sys.flags.no_site:
        # Started with -S (fast start): the interpreter's own site-packages come last, as /var/runtime's
        # libraries do on AWS, without .pth processing.
        import site
        rest += [entry for entry in site.getsitepackages() if entry not in rest and os.path.isdir(entry)]
    sys.path[:] = extra + rest


def _headers_json(headers, name):
    value = headers.get(name)
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def handle_one(client, handler, headers, body):
    request_id = headers.get("lambda-runtime-aws-request-id", "")
    _RequestIdFilter.request_id = request_id
    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        try:
            event = json.loads(body) if body else {}
        except ValueError as exc:
            raise FaultError("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % exc)
        context = LambdaContext(
            request_id, int(headers.get("lambda-runtime-deadline-ms") or 0),
            headers.get("lambda-runtime-invoked-function-arn"),
            _headers_json(headers, "lambda-runtime-cognito-identity"),
            _headers_json(headers, "lambda-runtime-client-context"),
            headers.get("lambda-runtime-aws-tenant-id"))
        if isinstance(handler, FaultError):
            raise handler
        result = handler(event, context)
        try:
            payload = json.dumps(result).encode()
        except (TypeError, ValueError) as exc:
            raise FaultError("Runtime.MarshalError", "Unable to marshal response: %s" % exc)
    except FaultError as fault:
        error = _fault_document(fault, request_id)
    except Exception as exc:  # noqa: BLE001 - every handler failure goes back to the invoker
        error = _exception_document(exc, request_id)
    else:
        sys.stdout.flush()
        client.post_response(request_id, payload)
        return
    _log_error(error)
    client.post_error(request_id, error, "Unhandled")


# -- SnapStart ---------------------------------------------------------------------------------------------
# With WORKBENCH_SNAPSHOT_FD set (an inherited descriptor, on the process backend) or WORKBENCH_SNAPSHOT_SOCKET
# (the path of the workbench's listening socket, bind-mounted into a container), this process is a version's
# snapshot: it runs init and the before-snapshot hooks once, says so on that control socket, and then only
# forks. Each fork is a restored execution environment: it takes the output pipe, Runtime API address and
# variables the workbench sends with the request, runs the after-restore hooks and serves invocations as any
# environment does.

def _hook_registry(name):
    try:
        import snapshot_restore_py
    except ImportError:
        return []
    return list(getattr(snapshot_restore_py, name)())


def _run_hooks(hooks):
    for hook, args, kwargs in hooks:
        hook(*args, **kwargs)


def _send_json(sock, document):
    sock.send(json.dumps(document).encode())


def _control_socket():
    """The control socket the workbench gave this snapshot, or None when this process is no snapshot."""
    fd = os.environ.pop("WORKBENCH_SNAPSHOT_FD", "")
    if fd:
        return socket.socket(fileno=int(fd))
    path = os.environ.pop("WORKBENCH_SNAPSHOT_SOCKET", "")
    if not path:
        return None
    control = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    control.connect(path)
    return control


def _snapshot(control):
    import array
    import select
    import signal
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
        # Before-snapshot hooks run in the reverse order of their registration (as on AWS).
        _run_hooks(reversed(_hook_registry("get_before_snapshot")))
    except FaultError as fault:
        _fail_snapshot(control, _fault_document(fault))
    except Exception as exc:  # noqa: BLE001 - a failing hook fails the snapshot, with its own error
        _fail_snapshot(control, _exception_document(exc, ""))
    sys.stdout.flush()
    _send_json(control, {"ready": True})
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    fd_size = array.array("i").itemsize
    while True:
        try:
            readable = select.select([control, wake_read], [], [])[0]
        except InterruptedError:
            continue
        if wake_read in readable:
            os.read(wake_read, 4096)
            while True:
                try:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
                _send_json(control, {"exit": pid, "status": status})
        if control not in readable:
            continue
        message, ancillary, _, _ = control.recvmsg(1 << 20, socket.CMSG_SPACE(2 * fd_size))
        if not message:
            os._exit(0)  # the workbench let go of this snapshot
        fds = array.array("i")
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[:len(data) - len(data) % fd_size])
        if len(fds) != 2:
            continue
        sys.stdout.flush()
        if os.fork() == 0:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.close(wake_read)
            os.close(wake_write)
            control.close()
            _restored(json.loads(message), fds[0], fds[1], handler)
            os._exit(0)
        os.close(fds[0])
        os.close(fds[1])


def _fail_snapshot(control, error):
    _log_error(error)
    _send_json(control, {"ready": False, "error": error})
    sys.exit(1)


def _restored(request, output_fd, reply_fd, handler):
    os.setsid()  # its own process group: frozen, thawed and killed as one environment
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    os.environ.clear()
    os.environ.update(request["env"])
    reply = socket.socket(fileno=reply_fd)
    _send_json(reply, {"pid": os.getpid()})  # the workbench reads our pid as its own namespace numbers it
    reply.close()
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        # After-restore hooks run in the order of their registration (as on AWS).
        _run_hooks(_hook_registry("get_after_restore"))
    except Exception as exc:  # noqa: BLE001 - reported to the workbench as the restore's failure
        error = _exception_document(exc, "")
        _log_error(error)
        client.post_init_error(error, "Runtime.AfterRestoreError")
        os._exit(1)
    _serve(client, handler)


def _serve(client, handler):
    while True:
        headers, body = client.next_invocation()
        handle_one(client, handler, headers, body)


def main():
    try:
        sys.stdout.reconfigure(line_buffering=True)
        sys.stderr.reconfigure(line_buffering=True)
    except AttributeError:
        pass
    _prepare_paths()
    _install_logging()
    control = _control_socket()
    if control is not None:
        _snapshot(control)
        return
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except FaultError as fault:
        error = _fault_document(fault)
        _log_error(error)
        client.post_init_error(error, fault.error_type if fault.error_type.startswith("Runtime.")
                               else "Runtime.Unknown")
        sys.exit(1)
    _serve(client, handler)


if __name__ == "__main__":
    main()
