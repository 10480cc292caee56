package workbench.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns a handler string ({@code package.Class::method} or {@code package.Class}) into an {@link Invoker},
 * with AWS's rules: a class alone must implement RequestHandler or RequestStreamHandler; a method is
 * public, takes (InputStream, OutputStream[, Context]) or ([input[, Context]]), and the one with the most
 * parameters wins. Input and output go through aws-lambda-java-serialization, as on AWS: its event
 * serializers for aws-lambda-java-events types, Jackson for the rest (POJOs, Map, String, primitives).
 */
final class HandlerLoader {
    /** One call of the handler: the raw event in, the raw response out. */
    interface Invoker {
        void invoke(InputStream input, OutputStream output, Context context) throws Throwable;
    }

    private HandlerLoader() {
    }

    static Invoker load(String handler, ClassLoader loader) {
        int separator = handler.indexOf("::");
        String className = separator < 0 ? handler : handler.substring(0, separator);
        String methodName = separator < 0 ? null : handler.substring(separator + 2);
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new Fault("Class not found: " + className, e);
        } catch (Throwable e) {
            Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
            throw new Fault("Error loading class " + className
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
        }
        if (methodName == null) {
            if (RequestStreamHandler.class.isAssignableFrom(type)) {
                RequestStreamHandler stream = (RequestStreamHandler) instantiate(type);
                return stream::handleRequest;
            }
            if (!RequestHandler.class.isAssignableFrom(type)) {
                throw new Fault("Class " + className + " does not implement RequestHandler with concrete type "
                        + "parameters", null);
            }
            methodName = "handleRequest";
        }
        Method method = pick(type, methodName);
        Object target = Modifier.isStatic(method.getModifiers()) ? null : instantiate(type);
        return bind(target, method, loader);
    }

    private static Object instantiate(Class<?> type) {
        try {
            return type.getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            throw new Fault("An error occurred during JSON initialization of " + type.getName(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new Fault("Class " + type.getName() + " has no public zero-argument constructor", e);
        }
    }

    private static boolean isStream(Class<?>[] parameters) {
        return parameters.length >= 2 && InputStream.class.isAssignableFrom(parameters[0])
                && OutputStream.class.isAssignableFrom(parameters[1])
                && (parameters.length == 2 || (parameters.length == 3 && parameters[2] == Context.class));
    }

    private static boolean isPojo(Class<?>[] parameters) {
        return parameters.length <= 1 || (parameters.length == 2 && parameters[1] == Context.class);
    }

    private static Method pick(Class<?> type, String name) {
        List<Method> candidates = new ArrayList<>();
        for (Method method : type.getMethods()) {
            Class<?>[] parameters = method.getParameterTypes();
            if (method.getName().equals(name) && !method.isBridge() && !method.isSynthetic()
                    && (isStream(parameters) || isPojo(parameters))) {
                candidates.add(method);
            }
        }
        if (candidates.isEmpty()) {
            throw new Fault("No public method named " + name + " with appropriate method signature found on class "
                    + type.getName(), null);
        }
        candidates.sort(Comparator.comparingInt((Method m) -> -m.getParameterCount())
                .thenComparing(m -> m.getDeclaringClass() == type ? 0 : 1));
        return candidates.get(0);
    }

    @SuppressWarnings("unchecked")
    private static PojoSerializer<Object> serializer(Type type, ClassLoader loader) {
        if (type instanceof Class && LambdaEventSerializers.isLambdaSupportedEvent(((Class<?>) type).getName())) {
            return (PojoSerializer<Object>) LambdaEventSerializers.serializerFor((Class<Object>) type, loader);
        }
        return (PojoSerializer<Object>) JacksonFactory.getInstance().getSerializer(type);
    }

    private static Invoker bind(Object target, Method method, ClassLoader loader) {
        Class<?>[] parameters = method.getParameterTypes();
        if (isStream(parameters)) {
            return (input, output, context) -> call(target, method,
                    parameters.length == 3 ? new Object[] {input, output, context} : new Object[] {input, output});
        }
        PojoSerializer<Object> in = parameters.length == 0 ? null
                : serializer(method.getGenericParameterTypes()[0], loader);
        boolean returnsNothing = method.getReturnType() == void.class;
        PojoSerializer<Object> out = returnsNothing ? null : serializer(method.getGenericReturnType(), loader);
        return (input, output, context) -> {
            Object event;
            try {
                event = in == null ? null : in.fromJson(input);
            } catch (RuntimeException e) {
                throw new Fault("An error occurred during JSON parsing", e);
            }
            Object[] arguments = parameters.length == 0 ? new Object[0]
                    : parameters.length == 1 ? new Object[] {event} : new Object[] {event, context};
            Object result = call(target, method, arguments);
            if (out == null || result == null) {
                output.write("null".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } else {
                try {
                    out.toJson(result, output);
                } catch (RuntimeException e) {
                    throw new Fault("An error occurred during JSON serialization of response", e);
                }
            }
        };
    }

    private static Object call(Object target, Method method, Object[] arguments) throws Throwable {
        try {
            return method.invoke(target, arguments);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A failure the runtime reports itself (class not found, bad signature, JSON errors). */
    static final class Fault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Fault(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
