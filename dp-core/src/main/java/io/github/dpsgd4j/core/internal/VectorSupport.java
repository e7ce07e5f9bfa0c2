package io.github.dpsgd4j.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

/**
 * Decides, once per JVM, whether dp-core's kernels may use the incubating Vector API
 * ({@code jdk.incubator.vector}, JEP 414 in JDK 17).
 *
 * <p>The Vector API is used only when all of these hold: the module is in the boot layer (the JVM
 * was started with {@code --add-modules jdk.incubator.vector}); the system property
 * {@value #PROPERTY} is not {@code false}; and the implementation class named by the caller loads
 * and reports itself usable (for example a preferred vector width of at least 256 bits, below which
 * the API may run unaccelerated). Otherwise the plain-Java kernels are used; both produce the same
 * results to float rounding.
 *
 * <p>Classes that reference {@code jdk.incubator.vector} are only ever loaded through
 * {@link #load(MethodHandles.Lookup, String, Class)}, by name, so dp-core links and runs without the module.
 *
 * <p>Thread-safe: stateless apart from class initialisation.
 */
public final class VectorSupport {

    /** System property that disables the Vector API kernels when set to {@code false}. */
    public static final String PROPERTY = "dpsgd4j.vectorApi";

    private static final boolean MODULE_PRESENT =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private VectorSupport() {
    }

    /** Whether {@code jdk.incubator.vector} is resolved and not disabled by {@value #PROPERTY}. */
    public static boolean enabled() {
        return MODULE_PRESENT && !"false".equalsIgnoreCase(System.getProperty(PROPERTY));
    }

    /**
     * Instantiates {@code className} through its no-argument constructor if the Vector API is
     * {@linkplain #enabled() enabled} and the class loads; empty otherwise (never throws for a
     * missing module or an unusable vector shape: the constructor may throw
     * {@link UnsupportedOperationException} to decline).
     *
     * @param lookup    a lookup from the caller's class (the implementation may be package-private)
     * @param className fully qualified name of a class implementing {@code type}
     * @param type      the interface the class implements
     * @return the instance, or empty when the plain-Java fallback must be used
     */
    public static <T> Optional<T> load(MethodHandles.Lookup lookup, String className, Class<T> type) {
        if (!enabled()) {
            return Optional.empty();
        }
        try {
            Class<?> c = lookup.findClass(className);
            Object instance = lookup.findConstructor(c, MethodType.methodType(void.class)).invoke();
            return Optional.of(type.cast(instance));
        } catch (ReflectiveOperationException | LinkageError | UnsupportedOperationException
                 | ClassCastException e) {
            return Optional.empty();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot instantiate " + className, e);
        }
    }
}
