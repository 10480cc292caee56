// Finds and calls the handler `Assembly::Namespace.Type::Method` as AWS's .NET runtime does
// (Amazon.Lambda.RuntimeSupport's UserCodeLoader and InvokeDelegateBuilder), with its error messages.

using System;
using System.IO;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks;
using Amazon.Lambda.Core;

namespace Amazon.Lambda.RuntimeSupport.ExceptionHandling
{
    /// <summary>A handler that cannot be loaded or called as written (AWS's type of the same name).</summary>
    public sealed class LambdaValidationException : Exception
    {
        public LambdaValidationException(string message) : base(message) { }
    }
}

namespace Workbench.Lambda
{
    using Amazon.Lambda.RuntimeSupport.ExceptionHandling;

    internal sealed class Handler
    {
        private const string Format = "The valid format is 'ASSEMBLY::TYPE::METHOD'.";
        private readonly MethodInfo _method;
        private readonly object _target;
        private readonly ILambdaSerializer _serializer;
        private readonly Type _input;       // null: the method takes no event
        private readonly bool _takesContext;
        private readonly Type _output;      // null: nothing to send back (void, Task)

        private Handler(MethodInfo method, object target, ILambdaSerializer serializer, Type input, bool takesContext,
                        Type output)
        {
            _method = method;
            _target = target;
            _serializer = serializer;
            _input = input;
            _takesContext = takesContext;
            _output = output;
        }

        public static Handler Load(string handler, string taskRoot)
        {
            if (string.IsNullOrEmpty(handler))
                throw new LambdaValidationException("Empty lambda function handler. " + Format);
            string[] parts = handler.Split(new[] { "::" }, StringSplitOptions.None);
            if (parts.Length != 3)
                throw new LambdaValidationException("Invalid lambda function handler: '" + handler + "'. " + Format);
            string[] names = { "assembly", "type", "method" };
            for (int i = 0; i < 3; i++)
                if (string.IsNullOrWhiteSpace(parts[i]))
                    throw new LambdaValidationException("Invalid lambda function handler: '" + handler + "', the "
                                                        + names[i] + " is missing. " + Format);
            string assemblyName = parts[0].Trim(), typeName = parts[1].Trim(), methodName = parts[2].Trim();

            string path = Path.Combine(taskRoot, assemblyName + ".dll");
            if (!File.Exists(path))
                throw new LambdaValidationException("Could not find the specified handler assembly with the file name '"
                                                    + assemblyName + ", Culture=neutral, PublicKeyToken=null'. The "
                                                    + "assembly should be located in the root of your uploaded .zip file.");
            Assembly assembly;
            try
            {
                assembly = Assembly.LoadFrom(path);
            }
            catch (Exception)
            {
                throw new LambdaValidationException("Unable to load assembly '" + assemblyName + "'.");
            }
            Type type = assembly.GetType(typeName);
            if (type == null)
                throw new LambdaValidationException("Unable to load type '" + typeName + "' from assembly '" + assemblyName + "'.");
            if (type.IsGenericTypeDefinition)
                throw new LambdaValidationException("The type '" + typeName + "' cannot be used as a Lambda Handler type "
                                                    + "because it is generic. Handler methods cannot be located in generic "
                                                    + "types. Please specify a handler method in a non-generic type.");
            MethodInfo method = FindMethod(type, methodName, typeName, assemblyName);
            Validate(method, type);

            ParameterInfo[] parameters = method.GetParameters();
            Type input = null;
            bool takesContext = false;
            if (parameters.Length == 2)
            {
                if (parameters[1].ParameterType != typeof(ILambdaContext))
                    throw new LambdaValidationException("Method '" + methodName + "' of type '" + typeName + "' is not "
                                                        + "supported: the method has 2 parameters, but the second parameter "
                                                        + "is not of type '" + typeof(ILambdaContext).FullName + "'.");
                input = parameters[0].ParameterType;
                takesContext = true;
            }
            else if (parameters.Length == 1)
            {
                if (parameters[0].ParameterType == typeof(ILambdaContext)) takesContext = true;
                else input = parameters[0].ParameterType;
            }
            else if (parameters.Length > 2)
                throw new LambdaValidationException("Method '" + methodName + "' of type '" + typeName + "' is not "
                                                    + "supported: the method has more than 2 parameters.");

            Type output = method.ReturnType;
            if (output == typeof(void) || output == typeof(Task)) output = null;
            else if (output.IsGenericType && output.GetGenericTypeDefinition() == typeof(Task<>))
                output = output.GetGenericArguments()[0];

            ILambdaSerializer serializer = FindSerializer(method, assembly);
            string attribute = typeof(LambdaSerializerAttribute).FullName;
            if (input != null && input != typeof(Stream) && serializer == null)
                throw new LambdaValidationException("Could not find the LambdaSerializerAttribute on the assembly '"
                    + assembly.FullName + "' or method '" + methodName + "' while attempting to deserialize input data of "
                    + "type '" + input.FullName + "'. To use types other than System.IO.Stream as input/output parameters, "
                    + "the assembly or Lambda function should be annotated with " + attribute + ".");
            if (output != null && !typeof(Stream).IsAssignableFrom(output) && serializer == null)
                throw new LambdaValidationException("Could not find the LambdaSerializerAttribute on the assembly '"
                    + assembly.FullName + "' or method '" + methodName + "' while attempting to serialize output data of "
                    + "type '" + output.FullName + "'. To use types other than System.IO.Stream as input/output parameters, "
                    + "the assembly or Lambda function should be annotated with " + attribute + ".");

            // An instance handler's type is constructed once: its constructor is the function's init code.
            object target = null;
            if (!method.IsStatic)
            {
                try
                {
                    target = Activator.CreateInstance(type);
                }
                catch (TargetInvocationException e)
                {
                    ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                }
            }
            else
            {
                System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(type.TypeHandle);
            }
            return new Handler(method, target, serializer, input, takesContext, output);
        }

        private static MethodInfo FindMethod(Type type, string methodName, string typeName, string assemblyName)
        {
            MethodInfo found = null;
            int count = 0;
            foreach (MethodInfo candidate in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic
                                                             | BindingFlags.Instance | BindingFlags.Static))
            {
                if (candidate.Name != methodName) continue;
                found = candidate;
                count++;
            }
            if (found == null)
                throw new LambdaValidationException("Unable to find method '" + methodName + "' in type '" + typeName
                                                    + "' from assembly '" + assemblyName + "': Found no methods matching "
                                                    + "method name '" + methodName + "'.");
            if (count > 1)
                throw new LambdaValidationException("The method '" + methodName + "' in type '" + typeName + "' appears "
                                                    + "to have a number of overloads. To call this method please specify a "
                                                    + "complete method signature.");
            return found;
        }

        private static void Validate(MethodInfo method, Type type)
        {
            string name = method.Name;
            if (method.IsAbstract)
                throw new LambdaValidationException("The method '" + name + "' cannot be used as a Lambda Handler because "
                                                    + "it is an abstract method. Handler methods cannot be abstract. Please "
                                                    + "specify a non-abstract handler method.");
            if (method.IsGenericMethodDefinition)
                throw new LambdaValidationException("The method '" + name + "' cannot be used as a Lambda Handler because "
                                                    + "it is a generic method. Handler methods cannot be generic. Please "
                                                    + "specify a non-generic handler method.");
            if (!method.IsStatic && type.IsAbstract)
                throw new LambdaValidationException("The instance method '" + name + "' cannot be used as a Lambda "
                                                    + "Handler because its type '" + type.FullName + "' is abstract. Please "
                                                    + "either use a static handler or specify a type that is not abstract.");
            if (method.ReturnType == typeof(void)
                && method.IsDefined(typeof(System.Runtime.CompilerServices.AsyncStateMachineAttribute), false))
                throw new LambdaValidationException("The method '" + name + "' cannot be used as a Lambda Handler because "
                                                    + "it is an 'async void' method. Handler methods cannot be 'async "
                                                    + "void'. Please specify a method that is not 'async void'.");
            foreach (ParameterInfo parameter in method.GetParameters())
                if (parameter.IsDefined(typeof(ParamArrayAttribute), false))
                    throw new LambdaValidationException("The method '" + name + "' cannot be used as a Lambda Handler "
                                                        + "because it is a 'params' method. Please specify a method that "
                                                        + "does not use 'params'.");
        }

        private static ILambdaSerializer FindSerializer(MethodInfo method, Assembly assembly)
        {
            var attribute = (LambdaSerializerAttribute)Attribute.GetCustomAttribute(method, typeof(LambdaSerializerAttribute))
                            ?? (LambdaSerializerAttribute)Attribute.GetCustomAttribute(assembly, typeof(LambdaSerializerAttribute));
            if (attribute == null) return null;
            Type type = attribute.SerializerType;
            if (type == null)
                throw new LambdaValidationException("The 'SerializerType' property on attribute class '"
                                                    + typeof(LambdaSerializerAttribute).FullName + "' is not set.");
            if (!typeof(ILambdaSerializer).IsAssignableFrom(type))
                throw new LambdaValidationException("The '" + type.FullName + "' class is invalid: it does not implement "
                                                    + "the 'ILambdaSerializer' interface.");
            if (type.GetConstructor(Type.EmptyTypes) == null)
                throw new LambdaValidationException("The indicated serializer '" + type.FullName + "' does not define a "
                                                    + "public zero-parameter constructor.");
            return (ILambdaSerializer)Activator.CreateInstance(type);
        }

        /// <summary>Calls the handler with the event; the response's bytes (empty for void and Task).</summary>
        public byte[] Invoke(byte[] payload, ILambdaContext context)
        {
            var arguments = new object[(_input != null ? 1 : 0) + (_takesContext ? 1 : 0)];
            if (_input != null)
            {
                var stream = new MemoryStream(payload, false);
                arguments[0] = _input == typeof(Stream)
                    ? stream
                    : Call(typeof(ILambdaSerializer).GetMethod("Deserialize").MakeGenericMethod(_input), _serializer,
                           new object[] { stream });
            }
            if (_takesContext) arguments[arguments.Length - 1] = context;
            object result = Call(_method, _target, arguments);
            var task = result as Task;
            if (task != null)
            {
                task.GetAwaiter().GetResult();   // throws the handler's own exception, not an AggregateException
                result = _output == null ? null : task.GetType().GetProperty("Result").GetValue(task, null);
            }
            if (_output == null) return new byte[0];
            var returned = result as Stream;
            if (returned != null)
            {
                var copy = new MemoryStream();
                returned.CopyTo(copy);
                return copy.ToArray();
            }
            if (typeof(Stream).IsAssignableFrom(_output)) return new byte[0];   // a null Stream
            var response = new MemoryStream();
            Call(typeof(ILambdaSerializer).GetMethod("Serialize").MakeGenericMethod(_output), _serializer,
                 new object[] { result, response });
            return response.ToArray();
        }

        /// <summary>A reflective call that throws what the called code threw, with its own stack trace.</summary>
        private static object Call(MethodInfo method, object target, object[] arguments)
        {
            try
            {
                return method.Invoke(target, arguments);
            }
            catch (TargetInvocationException e)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }
    }
}
