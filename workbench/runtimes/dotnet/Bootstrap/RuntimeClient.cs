// The Runtime API client: HTTP/1.1 over one kept-alive loopback connection (no proxy settings are read,
// so nothing can route it elsewhere).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;

namespace Workbench.Lambda
{
    internal sealed class RuntimeResponse
    {
        public int Status;
        public Dictionary<string, string> Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public byte[] Body;

        public string Header(string name)
        {
            string value;
            return Headers.TryGetValue(name, out value) ? value : null;
        }
    }

    internal sealed class RuntimeClient
    {
        private const string Prefix = "/2018-06-01/runtime";
        private readonly string _host;
        private readonly int _port;
        private readonly string _address;
        private TcpClient _connection;
        private Stream _stream;      // writes go straight to the socket
        private Stream _input;       // reads are buffered

        public RuntimeClient(string address)
        {
            _address = address;
            int colon = address.LastIndexOf(':');
            _host = address.Substring(0, colon);
            _port = int.Parse(address.Substring(colon + 1), CultureInfo.InvariantCulture);
        }

        public RuntimeResponse Next()
        {
            return Request("GET", "/invocation/next", null, null);
        }

        public void PostResponse(string requestId, byte[] body)
        {
            Request("POST", "/invocation/" + requestId + "/response", body, null);
        }

        public void PostError(string requestId, byte[] document, string errorType)
        {
            Request("POST", "/invocation/" + requestId + "/error", document, errorType);
        }

        public void PostInitError(byte[] document, string errorType)
        {
            Request("POST", "/init/error", document, errorType);
        }

        private RuntimeResponse Request(string method, string path, byte[] body, string errorType)
        {
            try
            {
                return Exchange(method, path, body, errorType);
            }
            catch (IOException)
            {
                Close();   // the server closed a kept-alive connection: one more try on a new one
                return Exchange(method, path, body, errorType);
            }
        }

        private void Close()
        {
            if (_connection != null) _connection.Close();
            _connection = null;
            _stream = null;
            _input = null;
        }

        private RuntimeResponse Exchange(string method, string path, byte[] body, string errorType)
        {
            if (_connection == null)
            {
                _connection = new TcpClient(_host, _port);
                _connection.NoDelay = true;
                _stream = _connection.GetStream();
                _input = new BufferedStream(_stream, 65536);
            }
            var head = new StringBuilder();
            head.Append(method).Append(' ').Append(Prefix).Append(path).Append(" HTTP/1.1\r\nHost: ").Append(_address).Append("\r\n");
            if (body != null)
            {
                head.Append("Content-Type: application/json\r\nContent-Length: ").Append(body.Length).Append("\r\n");
                if (errorType != null) head.Append("Lambda-Runtime-Function-Error-Type: ").Append(errorType).Append("\r\n");
            }
            head.Append("\r\n");
            byte[] headBytes = Encoding.ASCII.GetBytes(head.ToString());
            _stream.Write(headBytes, 0, headBytes.Length);
            if (body != null && body.Length > 0) _stream.Write(body, 0, body.Length);
            _stream.Flush();
            return ReadResponse();
        }

        private RuntimeResponse ReadResponse()
        {
            var response = new RuntimeResponse();
            string status = ReadLine();
            if (status == null) throw new IOException("the Runtime API closed the connection");
            string[] parts = status.Split(' ');
            response.Status = int.Parse(parts[1], CultureInfo.InvariantCulture);
            string line;
            while (!string.IsNullOrEmpty(line = ReadLine()))
            {
                int colon = line.IndexOf(':');
                if (colon > 0) response.Headers[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
            }
            string encoding = response.Header("Transfer-Encoding");
            if (encoding != null && encoding.Equals("chunked", StringComparison.OrdinalIgnoreCase))
            {
                var body = new MemoryStream();
                while (true)
                {
                    string size = ReadLine();
                    int semicolon = size.IndexOf(';');
                    int length = int.Parse(semicolon >= 0 ? size.Substring(0, semicolon) : size, NumberStyles.HexNumber,
                                           CultureInfo.InvariantCulture);
                    if (length == 0) { ReadLine(); break; }
                    byte[] chunk = ReadExactly(length);
                    body.Write(chunk, 0, chunk.Length);
                    ReadLine();
                }
                response.Body = body.ToArray();
            }
            else
            {
                string length = response.Header("Content-Length");
                response.Body = ReadExactly(length == null ? 0 : int.Parse(length, CultureInfo.InvariantCulture));
            }
            string connection = response.Header("Connection");
            if (connection != null && connection.Equals("close", StringComparison.OrdinalIgnoreCase)) Close();
            if (response.Status >= 400 && response.Status != 413)
                throw new InvalidOperationException("the Runtime API answered " + status);
            return response;
        }

        private string ReadLine()
        {
            var bytes = new List<byte>();
            while (true)
            {
                int b = _input.ReadByte();
                if (b < 0) return bytes.Count == 0 ? null : Encoding.ASCII.GetString(bytes.ToArray());
                if (b == '\n') break;
                if (b != '\r') bytes.Add((byte)b);
            }
            return Encoding.ASCII.GetString(bytes.ToArray());
        }

        private byte[] ReadExactly(int count)
        {
            var buffer = new byte[count];
            int read = 0;
            while (read < count)
            {
                int n = _input.Read(buffer, read, count - read);
                if (n <= 0) throw new IOException("the Runtime API closed the connection mid-body");
                read += n;
            }
            return buffer;
        }
    }
}
