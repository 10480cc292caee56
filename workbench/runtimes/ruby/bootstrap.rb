# frozen_string_literal: true

# Lambda Workbench's Ruby runtime: a Runtime API client that runs `file.method` and
# `file.Module::Class.method` handlers, as AWS's managed Ruby runtime does.
#
# Standard library only (it starts before any user code, on the host or in a container). It mirrors AWS's
# behaviour: keyword arguments `event:` and `context:`, the context object, `Function<Class>` /
# `Init<Class>` error types, the Logger format with the request id, and the gem and library paths
# (vendor/bundle in the package, /opt/ruby/gems and /opt/ruby/lib in layers).

require 'json'
require 'logger'
require 'socket'

module WorkbenchLambda
  API_PREFIX = '/2018-06-01/runtime'

  # A keep-alive HTTP/1.1 connection to this environment's Runtime API (a known peer on loopback).
  class RuntimeClient
    def initialize(address)
      host, _, port = address.rpartition(':')
      @host = host
      @port = port.to_i
      @address = address
      @socket = nil
    end

    def next_invocation
      status, headers, body = request('GET', '/invocation/next')
      raise "Runtime API next returned #{status}: #{body}" unless status == 200

      [headers, body]
    end

    def post_response(request_id, body)
      request('POST', "/invocation/#{request_id}/response", body, 'Content-Type' => 'application/json')
    end

    def post_error(request_id, error, error_type)
      request('POST', "/invocation/#{request_id}/error", JSON.generate(error),
              'Content-Type' => 'application/json', 'Lambda-Runtime-Function-Error-Type' => error_type)
    end

    def post_init_error(error, error_type)
      request('POST', '/init/error', JSON.generate(error),
              'Content-Type' => 'application/json', 'Lambda-Runtime-Function-Error-Type' => error_type)
    end

    private

    def request(method, path, body = '', headers = {})
      body = body.b
      head = +"#{method} #{API_PREFIX}#{path} HTTP/1.1\r\nHost: #{@address}\r\n"
      headers.each { |name, value| head << "#{name}: #{value}\r\n" }
      head << "Content-Length: #{body.bytesize}\r\n\r\n"
      attempts = 0
      begin
        attempts += 1
        connect if @socket.nil?
        @socket.write(head.b + body)
        read_response
      rescue SystemCallError, IOError, EOFError
        @socket&.close
        @socket = nil
        retry if attempts < 2
        raise
      end
    end

    def connect
      @socket = TCPSocket.new(@host, @port)
      @socket.setsockopt(Socket::IPPROTO_TCP, Socket::TCP_NODELAY, 1)
    end

    def read_response
      status_line = @socket.gets("\r\n") or raise EOFError, 'Runtime API closed the connection'
      status = status_line.split(' ', 3)[1].to_i
      headers = {}
      while (line = @socket.gets("\r\n")) && line != "\r\n"
        name, value = line.split(':', 2)
        headers[name.strip.downcase] = value.to_s.strip
      end
      body = if headers['transfer-encoding'].to_s.downcase == 'chunked'
               read_chunked
             else
               length = headers['content-length'].to_i
               length.positive? ? @socket.read(length) : +''
             end
      [status, headers, body.force_encoding('UTF-8')]
    end

    def read_chunked
      body = +''
      loop do
        size = @socket.gets("\r\n").split(';').first.to_i(16)
        body << @socket.read(size) if size.positive?
        @socket.read(2)
        return body if size.zero?
      end
    end
  end

  # The `context` argument, with the attribute names of AWS's Ruby runtime.
  class LambdaContext
    attr_reader :aws_request_id, :invoked_function_arn, :log_group_name, :log_stream_name, :function_name,
                :memory_limit_in_mb, :function_version, :identity, :client_context, :deadline_ms, :tenant_id

    def initialize(headers)
      @aws_request_id = headers['lambda-runtime-aws-request-id']
      @invoked_function_arn = headers['lambda-runtime-invoked-function-arn']
      @deadline_ms = headers['lambda-runtime-deadline-ms'].to_i
      @identity = parse(headers['lambda-runtime-cognito-identity'])
      @client_context = parse(headers['lambda-runtime-client-context'])
      @tenant_id = headers['lambda-runtime-aws-tenant-id']
      @log_group_name = ENV['AWS_LAMBDA_LOG_GROUP_NAME']
      @log_stream_name = ENV['AWS_LAMBDA_LOG_STREAM_NAME']
      @function_name = ENV['AWS_LAMBDA_FUNCTION_NAME']
      @memory_limit_in_mb = ENV['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']
      @function_version = ENV['AWS_LAMBDA_FUNCTION_VERSION']
    end

    def get_remaining_time_in_millis # rubocop:disable Naming/AccessorMethodName - AWS's name
      [@deadline_ms - (Process.clock_gettime(Process::CLOCK_REALTIME, :millisecond)), 0].max
    end

    private

    def parse(text)
      text.nil? || text.empty? ? nil : JSON.parse(text)
    rescue JSON::ParserError
      nil
    end
  end

  # An error with a Lambda error type chosen by the runtime (Init<LoadError>, Runtime.MalformedHandlerName, ...).
  class Fault < StandardError
    attr_reader :error_type, :trace

    def initialize(error_type, message, trace = [])
      super(message)
      @error_type = error_type
      @trace = trace
    end
  end

  @request_id = ''
  class << self
    attr_accessor :request_id
  end

  # AWS's Ruby runtime puts the request id after the severity of every Logger line:
  # `I, [2019-10-26T10:04:01.689856 #8]  INFO 6573a3a0-... -- : message`.
  module RequestIdFormatter
    def call(severity, time, progname, msg)
      format("%<s>s, [%<t>s #%<p>d] %<sev>5s %<r>s -- %<prog>s: %<m>s\n",
             s: severity[0], t: time.utc.strftime('%Y-%m-%dT%H:%M:%S.%6N'), p: Process.pid, sev: severity,
             r: WorkbenchLambda.request_id, prog: progname, m: msg2str(msg))
    end
  end

  module_function

  def prepare_paths
    task_root = ENV.fetch('LAMBDA_TASK_ROOT', '/var/task')
    opt = ENV.fetch('WORKBENCH_OPT_DIR', '/opt')
    api = RbConfig::CONFIG['ruby_version'] # e.g. "3.3.0": the folder name gems are installed under
    ENV['GEM_PATH'] = ["#{task_root}/vendor/bundle/ruby/#{api}", "#{opt}/ruby/gems/#{api}",
                       ENV.fetch('GEM_PATH', nil)].compact.join(':')
    ENV['GEM_HOME'] ||= "#{task_root}/vendor/bundle/ruby/#{api}"
    Gem.clear_paths
    [task_root, "#{opt}/ruby/lib"].reverse_each { |dir| $LOAD_PATH.unshift(dir) unless $LOAD_PATH.include?(dir) }
    Dir.chdir(task_root)
  end

  def load_handler(handler)
    parts = handler.split('.')
    raise Fault.new('Runtime.MalformedHandlerName', "Bad handler #{handler}, must be of the form FILENAME.METHOD "\
                    'or FILENAME.CLASS.METHOD') unless [2, 3].include?(parts.size) && parts.none?(&:empty?)

    file, *receiver_name, method = parts
    begin
      require File.join(ENV.fetch('LAMBDA_TASK_ROOT', '/var/task'), file)
    rescue ScriptError, StandardError => e
      raise Fault.new("Init<#{e.class}>", e.message, e.backtrace || [])
    end
    receiver = receiver_name.empty? ? TOPLEVEL_BINDING.receiver : constant(receiver_name.first)
    unless receiver.respond_to?(method, true)
      where = receiver_name.empty? ? 'main:Object' : receiver_name.first
      raise Fault.new('Init<NoMethodError>', "undefined method `#{method}' for #{where}")
    end
    ->(event, context) { receiver.send(method, event: event, context: context) }
  end

  def constant(name)
    Object.const_get(name)
  rescue NameError => e
    raise Fault.new("Init<#{e.class}>", e.message, e.backtrace || [])
  end

  def log_error(error, what)
    text = "#{what}\n#{JSON.pretty_generate(error)}"
    $stdout.write(text.gsub("\n", "\r") + "\n")
    $stdout.flush
  end

  def handle(client, handler, headers, body)
    request_id = headers['lambda-runtime-aws-request-id'].to_s
    WorkbenchLambda.request_id = request_id
    trace_id = headers['lambda-runtime-trace-id']
    trace_id ? ENV['_X_AMZN_TRACE_ID'] = trace_id : ENV.delete('_X_AMZN_TRACE_ID')
    begin
      event = begin
        body.empty? ? {} : JSON.parse(body, quirks_mode: true)
      rescue JSON::ParserError => e
        raise Fault.new('Runtime.UnmarshalError', "Unable to unmarshal input: #{e.message}")
      end
      result = handler.call(event, LambdaContext.new(headers))
      payload = begin
        JSON.generate(result, quirks_mode: true)
      rescue StandardError => e
        raise Fault.new('Runtime.MarshalError', "Unable to marshal response: #{e.message}")
      end
    rescue Fault => e
      error = { 'errorMessage' => e.message, 'errorType' => e.error_type, 'stackTrace' => e.trace }
    rescue StandardError, ScriptError, SystemStackError, NoMemoryError => e
      error = { 'errorMessage' => e.message, 'errorType' => "Function<#{e.class}>",
                'stackTrace' => e.backtrace || [] }
    end
    $stdout.flush
    if error
      log_error(error, 'Error raised from handler method')
      client.post_error(request_id, error, 'Unhandled')
    else
      client.post_response(request_id, payload)
    end
  end

  def main
    $stdout.sync = true
    $stderr.sync = true
    Logger::Formatter.prepend(RequestIdFormatter)
    client = RuntimeClient.new(ENV.fetch('AWS_LAMBDA_RUNTIME_API'))
    begin
      prepare_paths
      handler = load_handler(ENV.fetch('_HANDLER', ''))
    rescue Fault => e
      error = { 'errorMessage' => e.message, 'errorType' => e.error_type, 'stackTrace' => e.trace }
      log_error(error, 'Init error when loading handler')
      client.post_init_error(error, e.error_type.start_with?('Runtime.') ? e.error_type : 'Runtime.Unknown')
      exit(1)
    end
    loop do
      headers, body = client.next_invocation
      handle(client, handler, headers, body)
    end
  end
end

WorkbenchLambda.main if $PROGRAM_NAME == __FILE__
