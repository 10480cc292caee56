package workbench.lambda;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A keep-alive HTTP/1.1 connection to this environment's Runtime API. Hand-written rather than
 * java.net.http: that client costs tens of milliseconds of class loading on every cold start, and the
 * peer is a known server on loopback speaking plain HTTP/1.1.
 */
final class RuntimeClient {
    static final String PREFIX = "/2018-06-01/runtime";

    /** One response: status, lower-cased headers, body. */
    static final class Response {
        final int status;
        final Map<String, String> headers;
        final byte[] body;

        Response(int status, Map<String, String> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }
    }

    private final String host;
    private final int port;
    private final String address;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RuntimeClient(String address) {
        int colon = address.lastIndexOf(':');
        this.host = address.substring(0, colon);
        this.port = Integer.parseInt(address.substring(colon + 1));
        this.address = address;
    }

    Response next() throws IOException {
        Response response = request("GET", "/invocation/next", new byte[0], "");
        if (response.status != 200) {
            throw new IOException("Runtime API next returned " + response.status);
        }
        return response;
    }

    void postResponse(String requestId, byte[] body) throws IOException {
        request("POST", "/invocation/" + requestId + "/response", body, "Content-Type: application/json\r\n");
    }

    void postError(String requestId, byte[] error, String errorType) throws IOException {
        request("POST", "/invocation/" + requestId + "/error", error,
                "Content-Type: application/json\r\nLambda-Runtime-Function-Error-Type: " + errorType + "\r\n");
    }

    void postInitError(byte[] error, String errorType) throws IOException {
        request("POST", "/init/error", error,
                "Content-Type: application/json\r\nLambda-Runtime-Function-Error-Type: " + errorType + "\r\n");
    }

    private Response request(String method, String path, byte[] body, String headers) throws IOException {
        byte[] head = (method + " " + PREFIX + path + " HTTP/1.1\r\nHost: " + address + "\r\n" + headers
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        for (int attempt = 1; ; attempt++) {
            try {
                if (socket == null) {
                    socket = new Socket(host, port);
                    socket.setTcpNoDelay(true);
                    in = new BufferedInputStream(socket.getInputStream(), 65536);
                    out = socket.getOutputStream();
                }
                byte[] message = new byte[head.length + body.length];
                System.arraycopy(head, 0, message, 0, head.length);
                System.arraycopy(body, 0, message, head.length, body.length);
                out.write(message);
                out.flush();
                return readResponse();
            } catch (IOException e) {
                close();
                if (attempt == 2) {
                    throw e;
                }
            }
        }
    }

    private void close() {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // already broken: a new connection follows
        }
        socket = null;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        if (c == -1 && line.size() == 0) {
            throw new IOException("Runtime API closed the connection");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private Response readResponse() throws IOException {
        String status = readLine();
        int code = Integer.parseInt(status.split(" ", 3)[1]);
        Map<String, String> headers = new HashMap<>();
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(readLine().split(";")[0].trim(), 16);
                chunks.write(in.readNBytes(size));
                readLine();
                if (size == 0) {
                    break;
                }
            }
            body = chunks.toByteArray();
        } else {
            String length = headers.get("content-length");
            body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
        }
        return new Response(code, headers, body);
    }
}
