// A small JSON reader, writer and object mapper with the behaviour of System.Text.Json as AWS's
// DefaultLambdaJsonSerializer configures it: property names matched without regard to case on input,
// null properties left out on output, public properties only (no fields), [JsonPropertyName] and
// [JsonIgnore] honoured, enums as numbers, byte[] and MemoryStream as base64, a depth limit of 64.
// Mono has no System.Text.Json, so the workbench brings this instead.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Text;
using System.Text.Json.Serialization;

namespace Amazon.Lambda.Serialization.SystemTextJson
{
    /// <summary>A JSON number as written, converted to the target type only when it is known.</summary>
    public sealed class JsonNumber
    {
        public JsonNumber(string text) { Text = text; }
        public string Text { get; private set; }
        public override string ToString() { return Text; }
    }

    /// <summary>Reads JSON text into null, bool, string, JsonNumber, List&lt;object&gt; and
    /// Dictionary&lt;string, object&gt; (in document order).</summary>
    public sealed class JsonReader
    {
        private const int MaxDepth = 64;
        private readonly string _text;
        private int _at;

        private JsonReader(string text) { _text = text; }

        public static object Parse(string text)
        {
            var reader = new JsonReader(text);
            reader.SkipSpace();
            if (reader._at >= text.Length)
                throw new FormatException("The input does not contain any JSON tokens. LineNumber: 0 | BytePositionInLine: 0.");
            object value = reader.ReadValue(0);
            reader.SkipSpace();
            if (reader._at < text.Length)
                throw reader.Error("'" + text[reader._at] + "' is invalid after a single JSON value. Expected end of data.");
            return value;
        }

        private FormatException Error(string message)
        {
            int line = 0, column = 0;
            for (int i = 0; i < _at && i < _text.Length; i++)
            {
                if (_text[i] == '\n') { line++; column = 0; } else column++;
            }
            return new FormatException(message + " LineNumber: " + line + " | BytePositionInLine: " + column + ".");
        }

        private void SkipSpace()
        {
            while (_at < _text.Length && (_text[_at] == ' ' || _text[_at] == '\t' || _text[_at] == '\n' || _text[_at] == '\r'))
                _at++;
        }

        private object ReadValue(int depth)
        {
            if (depth > MaxDepth)
                throw Error("The maximum configured depth of 64 has been exceeded.");
            SkipSpace();
            if (_at >= _text.Length)
                throw Error("Expected a JSON value, the input ended.");
            char c = _text[_at];
            if (c == '{') return ReadObject(depth);
            if (c == '[') return ReadArray(depth);
            if (c == '"') return ReadString();
            if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
            if (Literal("true")) return true;
            if (Literal("false")) return false;
            if (Literal("null")) return null;
            throw Error("'" + c + "' is an invalid start of a value.");
        }

        private bool Literal(string word)
        {
            if (string.CompareOrdinal(_text, _at, word, 0, word.Length) != 0) return false;
            _at += word.Length;
            return true;
        }

        private Dictionary<string, object> ReadObject(int depth)
        {
            var result = new Dictionary<string, object>(StringComparer.Ordinal);
            _at++;
            SkipSpace();
            if (_at < _text.Length && _text[_at] == '}') { _at++; return result; }
            while (true)
            {
                SkipSpace();
                if (_at >= _text.Length || _text[_at] != '"')
                    throw Error("Expected a property name.");
                string key = ReadString();
                SkipSpace();
                if (_at >= _text.Length || _text[_at] != ':')
                    throw Error("Expected ':' after a property name.");
                _at++;
                result[key] = ReadValue(depth + 1);
                SkipSpace();
                if (_at < _text.Length && _text[_at] == ',') { _at++; continue; }
                if (_at < _text.Length && _text[_at] == '}') { _at++; return result; }
                throw Error("Expected ',' or '}' after a property value.");
            }
        }

        private List<object> ReadArray(int depth)
        {
            var result = new List<object>();
            _at++;
            SkipSpace();
            if (_at < _text.Length && _text[_at] == ']') { _at++; return result; }
            while (true)
            {
                result.Add(ReadValue(depth + 1));
                SkipSpace();
                if (_at < _text.Length && _text[_at] == ',') { _at++; continue; }
                if (_at < _text.Length && _text[_at] == ']') { _at++; return result; }
                throw Error("Expected ',' or ']' after a value in an array.");
            }
        }

        private string ReadString()
        {
            _at++;
            var builder = new StringBuilder();
            while (true)
            {
                if (_at >= _text.Length) throw Error("Expected end of string, but instead reached end of data.");
                char c = _text[_at++];
                if (c == '"') return builder.ToString();
                if (c < ' ') throw Error("'0x" + ((int)c).ToString("X2") + "' is invalid within a JSON string.");
                if (c != '\\') { builder.Append(c); continue; }
                if (_at >= _text.Length) throw Error("Expected an escaped character.");
                char e = _text[_at++];
                switch (e)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        int code;
                        if (_at + 4 > _text.Length || !int.TryParse(_text.Substring(_at, 4), NumberStyles.HexNumber,
                                CultureInfo.InvariantCulture, out code))
                            throw Error("Expected four hexadecimal digits after \\u.");
                        builder.Append((char)code);
                        _at += 4;
                        break;
                    default: throw Error("'" + e + "' is an invalid escapable character within a JSON string.");
                }
            }
        }

        private JsonNumber ReadNumber()
        {
            int start = _at;
            if (_text[_at] == '-') _at++;
            int digits = _at;
            while (_at < _text.Length && char.IsDigit(_text[_at])) _at++;
            if (_at == digits) throw Error("Expected a digit.");
            if (_at < _text.Length && _text[_at] == '.')
            {
                _at++;
                int fraction = _at;
                while (_at < _text.Length && char.IsDigit(_text[_at])) _at++;
                if (_at == fraction) throw Error("Expected a digit after the decimal point.");
            }
            if (_at < _text.Length && (_text[_at] == 'e' || _text[_at] == 'E'))
            {
                _at++;
                if (_at < _text.Length && (_text[_at] == '+' || _text[_at] == '-')) _at++;
                int exponent = _at;
                while (_at < _text.Length && char.IsDigit(_text[_at])) _at++;
                if (_at == exponent) throw Error("Expected a digit in the exponent.");
            }
            return new JsonNumber(_text.Substring(start, _at - start));
        }
    }

    /// <summary>Converts between parsed JSON and .NET types, and writes .NET values as JSON.</summary>
    public sealed class JsonMapper
    {
        private const int MaxDepth = 64;
        private static readonly Dictionary<string, string> AwsNames = new Dictionary<string, string>
        {
            { "XAmzId2", "x-amz-id-2" },
            { "XAmzRequestId", "x-amz-request-id" },
        };

        private readonly bool _camelCase;

        public JsonMapper(bool camelCase) { _camelCase = camelCase; }

        // -- names ---------------------------------------------------------------------------------------
        private string NameOf(PropertyInfo property)
        {
            var named = (JsonPropertyNameAttribute)Attribute.GetCustomAttribute(property, typeof(JsonPropertyNameAttribute));
            if (named != null) return named.Name;
            string mapped;
            if (AwsNames.TryGetValue(property.Name, out mapped)) return mapped;
            return _camelCase ? CamelCase(property.Name) : property.Name;
        }

        /// <summary>System.Text.Json's camel case: the leading run of capitals is lowered, except the
        /// capital that starts the next word.</summary>
        public static string CamelCase(string name)
        {
            if (string.IsNullOrEmpty(name) || !char.IsUpper(name[0])) return name;
            char[] chars = name.ToCharArray();
            for (int i = 0; i < chars.Length; i++)
            {
                if (i == 1 && !char.IsUpper(chars[i])) break;
                bool hasNext = i + 1 < chars.Length;
                if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
                {
                    if (chars[i + 1] == ' ') chars[i] = char.ToLowerInvariant(chars[i]);
                    break;
                }
                chars[i] = char.ToLowerInvariant(chars[i]);
            }
            return new string(chars);
        }

        private static bool Ignored(PropertyInfo property)
        {
            return Attribute.IsDefined(property, typeof(JsonIgnoreAttribute))
                || property.GetIndexParameters().Length > 0;
        }

        // -- reading -------------------------------------------------------------------------------------
        public object ToType(object node, Type type)
        {
            return Convert(node, type, "$");
        }

        private static Exception Mismatch(object node, Type type, string path)
        {
            string kind = node == null ? "Null" : node is string ? "String" : node is JsonNumber ? "Number"
                : node is bool ? ((bool)node ? "True" : "False") : node is List<object> ? "StartArray" : "StartObject";
            return new FormatException("The JSON value could not be converted to " + type.FullName + ". Path: " + path
                                       + " | Token: " + kind + ".");
        }

        private object Convert(object node, Type type, string path)
        {
            Type underlying = Nullable.GetUnderlyingType(type);
            if (underlying != null)
                return node == null ? null : Convert(node, underlying, path);
            if (type == typeof(object)) return Plain(node);
            if (node == null)
            {
                if (type.IsValueType) throw Mismatch(node, type, path);
                return null;
            }
            if (type == typeof(string))
            {
                if (node is string) return node;
                throw Mismatch(node, type, path);
            }
            if (type == typeof(bool))
            {
                if (node is bool) return node;
                throw Mismatch(node, type, path);
            }
            if (type.IsEnum)
            {
                if (node is JsonNumber) return Enum.ToObject(type, long.Parse(((JsonNumber)node).Text, CultureInfo.InvariantCulture));
                if (node is string) return Enum.Parse(type, (string)node, true);
                throw Mismatch(node, type, path);
            }
            if (type.IsPrimitive || type == typeof(decimal))
            {
                var number = node as JsonNumber;
                if (number == null) throw Mismatch(node, type, path);
                try
                {
                    if (type == typeof(double)) return double.Parse(number.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (type == typeof(float)) return float.Parse(number.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (type == typeof(decimal)) return decimal.Parse(number.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
                    return System.Convert.ChangeType(long.Parse(number.Text, NumberStyles.Integer, CultureInfo.InvariantCulture),
                                                     type, CultureInfo.InvariantCulture);
                }
                catch (Exception)
                {
                    throw Mismatch(node, type, path);
                }
            }
            if (type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(TimeSpan))
            {
                var text = node as string;
                if (text == null) throw Mismatch(node, type, path);
                try
                {
                    if (type == typeof(DateTime)) return DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
                    if (type == typeof(DateTimeOffset)) return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
                    if (type == typeof(Guid)) return Guid.Parse(text);
                    return TimeSpan.Parse(text, CultureInfo.InvariantCulture);
                }
                catch (FormatException)
                {
                    throw Mismatch(node, type, path);
                }
            }
            if (type == typeof(byte[]) || type == typeof(MemoryStream))
            {
                var text = node as string;
                if (text == null) throw Mismatch(node, type, path);
                byte[] bytes = System.Convert.FromBase64String(text);
                return type == typeof(MemoryStream) ? (object)new MemoryStream(bytes) : bytes;
            }
            Type valueType;
            if (IsDictionary(type, out valueType))
            {
                var members = node as Dictionary<string, object>;
                if (members == null) throw Mismatch(node, type, path);
                Type concrete = type.IsInterface ? typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType) : type;
                var result = (IDictionary)Activator.CreateInstance(concrete);
                foreach (var pair in members)
                    result[pair.Key] = Convert(pair.Value, valueType, path + "." + pair.Key);
                return result;
            }
            Type itemType;
            if (IsList(type, out itemType))
            {
                var items = node as List<object>;
                if (items == null) throw Mismatch(node, type, path);
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(itemType));
                for (int i = 0; i < items.Count; i++)
                    list.Add(Convert(items[i], itemType, path + "[" + i + "]"));
                if (type.IsArray)
                {
                    Array array = Array.CreateInstance(itemType, list.Count);
                    list.CopyTo(array, 0);
                    return array;
                }
                if (type.IsInterface || type.IsAssignableFrom(list.GetType())) return list;
                var target = (IList)Activator.CreateInstance(type);
                foreach (object item in list) target.Add(item);
                return target;
            }
            return ToObject(node, type, path);
        }

        private object ToObject(object node, Type type, string path)
        {
            var members = node as Dictionary<string, object>;
            if (members == null) throw Mismatch(node, type, path);
            if (type.IsAbstract || type.IsInterface)
                throw new NotSupportedException("Deserialization of interface or abstract types is not supported. Type '"
                                                + type.FullName + "'. Path: " + path + ".");
            object result;
            try
            {
                result = Activator.CreateInstance(type);
            }
            catch (MissingMethodException)
            {
                throw new NotSupportedException("Deserialization of types without a parameterless constructor is not "
                                                + "supported. Type '" + type.FullName + "'. Path: " + path + ".");
            }
            var properties = new List<PropertyInfo>();
            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                if (!Ignored(property) && property.CanWrite && property.GetSetMethod() != null)
                    properties.Add(property);
            foreach (var pair in members)
            {
                PropertyInfo match = null;
                foreach (PropertyInfo property in properties)
                {
                    string name = NameOf(property);
                    if (name == pair.Key) { match = property; break; }
                    if (match == null && string.Equals(name, pair.Key, StringComparison.OrdinalIgnoreCase)) match = property;
                }
                if (match != null)
                    match.SetValue(result, Convert(pair.Value, match.PropertyType, path + "." + pair.Key), null);
            }
            return result;
        }

        /// <summary>A parsed value as plain .NET data: long or double for numbers, lists and dictionaries.</summary>
        public static object Plain(object node)
        {
            var number = node as JsonNumber;
            if (number != null)
            {
                long whole;
                if (long.TryParse(number.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out whole)) return whole;
                return double.Parse(number.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
            var items = node as List<object>;
            if (items != null)
            {
                var list = new List<object>(items.Count);
                foreach (object item in items) list.Add(Plain(item));
                return list;
            }
            var members = node as Dictionary<string, object>;
            if (members != null)
            {
                var result = new Dictionary<string, object>();
                foreach (var pair in members) result[pair.Key] = Plain(pair.Value);
                return result;
            }
            return node;
        }

        private static bool IsDictionary(Type type, out Type valueType)
        {
            valueType = null;
            foreach (Type candidate in Candidates(type))
            {
                if (!candidate.IsGenericType) continue;
                Type definition = candidate.GetGenericTypeDefinition();
                if (definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>)
                    || definition.FullName == "System.Collections.Generic.IReadOnlyDictionary`2")
                {
                    Type[] arguments = candidate.GetGenericArguments();
                    if (arguments[0] != typeof(string)) return false;
                    valueType = arguments[1];
                    return true;
                }
            }
            return false;
        }

        private static bool IsList(Type type, out Type itemType)
        {
            itemType = null;
            if (type.IsArray) { itemType = type.GetElementType(); return true; }
            foreach (Type candidate in Candidates(type))
            {
                if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                {
                    itemType = candidate.GetGenericArguments()[0];
                    return true;
                }
            }
            return false;
        }

        private static IEnumerable<Type> Candidates(Type type)
        {
            yield return type;
            foreach (Type implemented in type.GetInterfaces()) yield return implemented;
        }

        // -- writing -------------------------------------------------------------------------------------
        public string Write(object value)
        {
            var builder = new StringBuilder();
            WriteValue(builder, value, 0);
            return builder.ToString();
        }

        private void WriteValue(StringBuilder output, object value, int depth)
        {
            if (depth > MaxDepth)
                throw new InvalidOperationException("A possible object cycle was detected, or the object is nested "
                                                    + "deeper than the maximum allowed depth of 64.");
            if (value == null) { output.Append("null"); return; }
            Type type = value.GetType();
            if (value is string) { WriteString(output, (string)value); return; }
            if (value is bool) { output.Append((bool)value ? "true" : "false"); return; }
            if (value is JsonNumber) { output.Append(((JsonNumber)value).Text); return; }
            if (type.IsEnum) { output.Append(System.Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)); return; }
            if (value is double || value is float)
            {
                double number = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(number) || double.IsInfinity(number))
                    throw new ArgumentException(".NET number values such as positive and negative infinity cannot be "
                                                + "written as valid JSON.");
                output.Append(value is float ? ((float)value).ToString("R", CultureInfo.InvariantCulture)
                                             : number.ToString("R", CultureInfo.InvariantCulture));
                return;
            }
            if (type.IsPrimitive || value is decimal)
            {
                if (value is char) { WriteString(output, value.ToString()); return; }
                output.Append(System.Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            }
            if (value is DateTime) { WriteString(output, ((DateTime)value).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture)); return; }
            if (value is DateTimeOffset) { WriteString(output, ((DateTimeOffset)value).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)); return; }
            if (value is Guid) { WriteString(output, ((Guid)value).ToString("D")); return; }
            if (value is TimeSpan) { WriteString(output, ((TimeSpan)value).ToString("c", CultureInfo.InvariantCulture)); return; }
            if (value is byte[]) { WriteString(output, System.Convert.ToBase64String((byte[])value)); return; }
            if (value is MemoryStream) { WriteString(output, System.Convert.ToBase64String(((MemoryStream)value).ToArray())); return; }
            var dictionary = value as IDictionary;
            if (dictionary != null)
            {
                output.Append('{');
                bool first = true;
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (!first) output.Append(',');
                    first = false;
                    WriteString(output, System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture));
                    output.Append(':');
                    WriteValue(output, entry.Value, depth + 1);
                }
                output.Append('}');
                return;
            }
            var sequence = value as IEnumerable;
            if (sequence != null)
            {
                output.Append('[');
                bool first = true;
                foreach (object item in sequence)
                {
                    if (!first) output.Append(',');
                    first = false;
                    WriteValue(output, item, depth + 1);
                }
                output.Append(']');
                return;
            }
            output.Append('{');
            bool firstMember = true;
            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (Ignored(property) || !property.CanRead || property.GetGetMethod() == null) continue;
                object member = property.GetValue(value, null);
                if (member == null) continue;   // DefaultIgnoreCondition = WhenWritingNull
                if (!firstMember) output.Append(',');
                firstMember = false;
                WriteString(output, NameOf(property));
                output.Append(':');
                WriteValue(output, member, depth + 1);
            }
            output.Append('}');
        }

        private static void WriteString(StringBuilder output, string text)
        {
            output.Append('"');
            foreach (char c in text)
            {
                switch (c)
                {
                    case '"': output.Append("\\\""); break;
                    case '\\': output.Append("\\\\"); break;
                    case '\n': output.Append("\\n"); break;
                    case '\r': output.Append("\\r"); break;
                    case '\t': output.Append("\\t"); break;
                    case '\b': output.Append("\\b"); break;
                    case '\f': output.Append("\\f"); break;
                    default:
                        if (c < ' ') output.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                        else output.Append(c);
                        break;
                }
            }
            output.Append('"');
        }
    }
}
