package org.audienceengine.bench;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Two builds of the engine's classes on the same batches in one process: each build's classes in
 * a class loader of their own, and their step runs ({@code StepBench.Steps}) taking the batches
 * in alternate chunks, so that both meet the machine at the same speed. This machine's speed
 * drifts by a third within minutes, so runs in separate processes cannot tell changes of a few
 * percent apart. Prints each build's step split over the measured half and, per chunk of it, the
 * time of B over the time of A.
 *
 * <p>{@code bench/run ab DIR_A DIR_B [USERS] [BATCHES] [AUDIENCES] [live]}: each DIR holds a build's
 * {@code classes/} and {@code test-classes/} (as {@code job/target} does); {@code live} evaluates at
 * the live job's clock instead of the batch times (see {@link StepBench}), and needs both builds'
 * {@code test-classes/} to have it.
 */
public final class StepAB {
    private static final int CHUNK = 10_000;

    private StepAB() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: StepAB DIR_A DIR_B [USERS] [BATCHES] [AUDIENCES] [live]");
        }
        int users = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        int batches = args.length > 3 ? Integer.parseInt(args[3]) : 400_000;
        String set = args.length > 4 ? args[4] : "100";
        boolean live = args.length > 5 && args[5].equals("live");
        Run a = new Run(Path.of(args[0]), users, batches, set, live);
        Run b = new Run(Path.of(args[1]), users, batches, set, live);
        List<Double> ratios = new ArrayList<>();
        for (int done = 0, k = 0; done < batches; done += CHUNK, k++) {
            // A B, then B A: neither build always runs first.
            long ta;
            long tb;
            if (k % 2 == 0) {
                ta = a.next();
                tb = b.next();
            } else {
                tb = b.next();
                ta = a.next();
            }
            if (done >= batches / 2) {
                ratios.add((double) tb / ta);
            }
        }
        System.out.println("| build | audiences | µs/batch | parse | load | timers | apply + evaluate | next instant | store "
                + "| catch-ups/batch | deltas/batch | bytes/user mean | bytes/user p99 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        System.out.println("| A " + a.row());
        System.out.println("| B " + b.row());
        Collections.sort(ratios);
        int n = ratios.size();
        System.out.printf("B / A per chunk of %,d batches (%d chunks): median %.3f, quartiles %.3f–%.3f, min %.3f, max %.3f%n",
                CHUNK, n, ratios.get(n / 2), ratios.get(n / 4), ratios.get(3 * n / 4), ratios.get(0), ratios.get(n - 1));
    }

    /** One build's run, reached by reflection: its classes are not this class's. */
    private static final class Run {
        private final Object steps;
        private final Method next;
        private final Method row;

        Run(Path build, int users, int batches, String set, boolean live) throws Exception {
            Class<?> type = new BuildLoader(build).loadClass("org.audienceengine.bench.StepBench$Steps");
            steps = live
                    ? type.getConstructor(int.class, int.class, String.class, boolean.class).newInstance(users, batches, set, true)
                    : type.getConstructor(int.class, int.class, String.class).newInstance(users, batches, set);
            next = type.getMethod("next", int.class);
            row = type.getMethod("row");
        }

        long next() throws Exception {
            return (long) next.invoke(steps, CHUNK);
        }

        String row() throws Exception {
            return (String) row.invoke(steps);
        }
    }

    /** The engine's classes from the build's folders first; libraries and the JDK from the parent. */
    private static final class BuildLoader extends URLClassLoader {
        BuildLoader(Path build) throws Exception {
            super(new URL[] {build.resolve("test-classes").toUri().toURL(), build.resolve("classes").toUri().toURL()},
                    StepAB.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("org.audienceengine.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
