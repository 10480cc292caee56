"""Lambda Workbench's Python runtime: a Runtime API client that runs `module.function` handlers.

Self-contained on purpose (standard library only, Python 3.8+): it is started inside every Python
execution environment, on the host or in a container, before any user code. It behaves like AWS's managed
Python runtime: the same context object, error types and messages, and log line format.
"""

import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

_API_PREFIX = "/2018-06-01/runtime"


class RuntimeClient:
    """A keep-alive HTTP/1.1 connection to this environment's Runtime API."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self._host = host
        self._port = int(port)
        self._connection = None

    def _request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(self._host, self._port)
            try:
                self._connection.request(method, _API_PREFIX + path, body=body, headers=headers or {})
                response = self._connection.getresponse()
                return response, response.read()
            except (http.client.HTTPException, ConnectionError):
                self._connection.close()
                self._connection = None
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")

    def next_invocation(self):
        response, body = self._request("GET", "/invocation/next")
        if response.status != 200:
            raise RuntimeError("Runtime API next returned %d: %r" % (response.status, body))
        return response.headers, body

    def post_response(self, request_id, body):
        self._request("POST", "/invocation/%s/response" % request_id, body,
                      {"Content-Type": "application/json"})

    def post_error(self, request_id, error, error_type):
        self._request("POST", "/invocation/%s/error" % request_id, json.dumps(error).encode(),
                      {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type})

    def post_init_error(self, error, error_type):
        self._request("POST", "/init/error", json.dumps(error).encode(),
                      {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type})


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
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
    _RequestIdFilter.request_id = request_id
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
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
            request_id, int(headers.get("Lambda-Runtime-Deadline-Ms") or 0),
            headers.get("Lambda-Runtime-Invoked-Function-Arn"),
            _headers_json(headers, "Lambda-Runtime-Cognito-Identity"),
            _headers_json(headers, "Lambda-Runtime-Client-Context"),
            headers.get("Lambda-Runtime-Aws-Tenant-Id"))
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


def main():
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        sys.stdout.reconfigure(line_buffering=True)
        sys.stderr.reconfigure(line_buffering=True)
    except AttributeError:
        pass
    _prepare_paths()
    _install_logging()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except FaultError as fault:
        error = _fault_document(fault)
        _log_error(error)
        client.post_init_error(error, fault.error_type if fault.error_type.startswith("Runtime.")
                               else "Runtime.Unknown")
        sys.exit(1)
    while True:
        headers, body = client.next_invocation()
        handle_one(client, handler, headers, body)


if __name__ == "__main__":
    main()
