// The serializers under the names AWS's templates use
// ([assembly: LambdaSerializer(typeof(Amazon.Lambda.Serialization.SystemTextJson.DefaultLambdaJsonSerializer))]),
// and the two System.Text.Json attributes functions put on their POCOs, so that such code compiles on Mono.

using System;
using System.IO;
using System.Text;
using Amazon.Lambda.Core;

namespace Amazon.Lambda.Serialization.SystemTextJson
{
    /// <summary>What AWS's serializers throw when the event or the response does not convert.</summary>
    public class JsonSerializerException : Exception
    {
        public JsonSerializerException(string message) : base(message) { }
        public JsonSerializerException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>AWS's default: property names as they are (on input matched without regard to case),
    /// null properties left out.</summary>
    public class DefaultLambdaJsonSerializer : ILambdaSerializer
    {
        private static readonly Encoding Utf8 = new UTF8Encoding(false);
        private readonly JsonMapper _mapper;

        public DefaultLambdaJsonSerializer() : this(false) { }

        protected DefaultLambdaJsonSerializer(bool camelCase)
        {
            _mapper = new JsonMapper(camelCase);
        }

        public T Deserialize<T>(Stream requestStream)
        {
            try
            {
                string text;
                using (var reader = new StreamReader(requestStream, Utf8, true, 4096, true))
                    text = reader.ReadToEnd();
                return (T)_mapper.ToType(JsonReader.Parse(text), typeof(T));
            }
            catch (Exception e)
            {
                throw new JsonSerializerException("Error converting the Lambda event JSON payload to type "
                                                  + typeof(T).FullName + ": " + e.Message, e);
            }
        }

        public void Serialize<T>(T response, Stream responseStream)
        {
            byte[] bytes;
            try
            {
                bytes = Utf8.GetBytes(_mapper.Write(response));
            }
            catch (Exception e)
            {
                throw new JsonSerializerException("Error converting the response object of type "
                                                  + typeof(T).FullName + " from the Lambda function to JSON: " + e.Message, e);
            }
            responseStream.Write(bytes, 0, bytes.Length);
        }
    }

    /// <summary>Property names in camel case on output (and matched without regard to case on input).</summary>
    public class CamelCaseLambdaJsonSerializer : DefaultLambdaJsonSerializer
    {
        public CamelCaseLambdaJsonSerializer() : base(true) { }
    }

    /// <summary>The package's older name for the default serializer.</summary>
    public class LambdaJsonSerializer : DefaultLambdaJsonSerializer
    {
    }
}

namespace System.Text.Json.Serialization
{
    /// <summary>The JSON name of a property (System.Text.Json's attribute, honoured by the serializers above).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
    public sealed class JsonPropertyNameAttribute : Attribute
    {
        public JsonPropertyNameAttribute(string name) { Name = name; }
        public string Name { get; private set; }
    }

    /// <summary>Leaves a property out of the JSON, both ways.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
    public sealed class JsonIgnoreAttribute : Attribute
    {
    }
}
