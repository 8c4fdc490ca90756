package activemqha.warmup;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Calls into the broker's class loader by name. Methods are matched by name and argument count
 * (every method the rehearsal calls has one public overload of its arity in ActiveMQ 5.17-6.x), so
 * javax.jms and jakarta.jms parameter types need not be named.
 */
final class Reflect {
  private final ClassLoader loader;

  Reflect(ClassLoader loader) {
    this.loader = loader;
  }

  Class<?> type(String name) throws ClassNotFoundException {
    return Class.forName(name, true, loader);
  }

  Object create(String className, Object... args) throws Exception {
    Class<?> type = type(className);
    for (java.lang.reflect.Constructor<?> c : type.getConstructors()) {
      if (c.getParameterCount() == args.length && accepts(c.getParameterTypes(), args)) {
        return unwrap(() -> c.newInstance(args));
      }
    }
    throw new NoSuchMethodException(className + ".<init> with " + args.length + " arguments");
  }

  static Object call(Object target, String name, Object... args) throws Exception {
    Method method = find(target.getClass(), name, args);
    return unwrap(() -> method.invoke(target, args));
  }

  private static Method find(Class<?> type, String name, Object[] args) throws NoSuchMethodException {
    for (Method m : type.getMethods()) {
      if (m.getName().equals(name)
          && m.getParameterCount() == args.length
          && accepts(m.getParameterTypes(), args)) {
        // Public methods inherited from a package-private class (e.g. a *Support base) are
        // only invocable once made accessible; the broker's jars are in the unnamed module.
        try {
          m.setAccessible(true);
        } catch (RuntimeException e) {
          // Then invoke as is.
        }
        return m;
      }
    }
    throw new NoSuchMethodException(type.getName() + "." + name + " with " + args.length + " arguments");
  }

  private static boolean accepts(Class<?>[] params, Object[] args) {
    for (int i = 0; i < params.length; i++) {
      Class<?> p = params[i];
      Object a = args[i];
      if (a == null) {
        if (p.isPrimitive()) return false;
        continue;
      }
      if (p == boolean.class) p = Boolean.class;
      else if (p == int.class) p = Integer.class;
      else if (p == long.class) p = Long.class;
      if (!p.isInstance(a)) return false;
    }
    return true;
  }

  private interface Invocation {
    Object run() throws Exception;
  }

  private static Object unwrap(Invocation invocation) throws Exception {
    try {
      return invocation.run();
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception) throw (Exception) cause;
      if (cause instanceof Error) throw (Error) cause;
      throw e;
    }
  }
}
