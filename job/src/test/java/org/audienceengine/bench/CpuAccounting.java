package org.audienceengine.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * CPU time by kind of thread over a run's measured window, from samples of every thread of this
 * process. The bench shares two cores between the job, the broker and the JIT compiler, so the
 * wall-clock rate depends on what those take too; the job's own threads per batch are what a
 * dedicated core would do. Native threads (RocksDB's flushes and compactions, the collector, the
 * compiler) are not Java threads: together they are the process's time less every Java thread's.
 */
final class CpuAccounting implements AutoCloseable {
    enum Kind {
        /** Task threads, their output flushers, the Kafka source fetchers and the job's producers. */
        JOB,
        /** The JIT compiler's time as the JVM counts it (elapsed, not CPU: for scale only). */
        JIT,
        /** RocksDB's background threads, the collector and the compiler: the process less all Java threads. */
        NATIVE,
        /** The broker and the local cluster's coordination (job manager, RPC, REST). */
        OTHER
    }

    private record Sample(long seen, long processCpu, long compileMs, Map<Long, Long> cpu) {}

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final LongSupplier seen;
    private final List<Sample> samples = new ArrayList<>();
    private final Map<Long, String> names = new HashMap<>();
    private final Thread sampler;
    private volatile boolean open = true;

    private CpuAccounting(LongSupplier seen) {
        this.seen = seen;
        sampler = new Thread(() -> {
            while (open) {
                sample();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-cpu-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Samples every 100 ms, each with the batches read so far. */
    static CpuAccounting follow(LongSupplier seen) {
        return new CpuAccounting(seen);
    }

    private void sample() {
        long[] ids = THREADS.getAllThreadIds();
        long[] cpu = THREADS.getThreadCpuTime(ids);
        Map<Long, Long> byThread = new HashMap<>(ids.length * 2);
        List<Long> unnamed = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            if (cpu[i] >= 0) {
                byThread.put(ids[i], cpu[i]);
                if (!names.containsKey(ids[i])) {
                    unnamed.add(ids[i]);
                }
            }
        }
        for (ThreadInfo info : THREADS.getThreadInfo(unnamed.stream().mapToLong(Long::longValue).toArray())) {
            if (info != null) {
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        Sample s = new Sample(seen.getAsLong(), OS.getProcessCpuTime(),
                ManagementFactory.getCompilationMXBean().getTotalCompilationTime(), byThread);
        samples.add(s);
    }

    static Kind kind(String name) {
        boolean task = name.matches(".*\\(\\d+/\\d+\\)#\\d+$");
        boolean job = task || name.startsWith("Source Data Fetcher") || name.startsWith("kafka-producer-network-thread | producer-bench-")
                || name.startsWith("AsyncOperations") || name.startsWith("Flink-RocksDB");
        return job ? Kind.JOB : Kind.OTHER;
    }

    /**
     * CPU seconds by kind between the first sample at or past {@code from} batches read and the
     * last before all {@code to} were read, with the batches read between them.
     */
    Window window(long from, long to) {
        close();
        // The sampler has stopped: its samples and names are this thread's to read.
        List<Sample> all = samples;
        int first = -1;
        int last = -1;
        for (int i = 0; i < all.size(); i++) {
            if (first < 0 && all.get(i).seen >= from) {
                first = i;
            }
            if (all.get(i).seen < to) {
                last = i;
            }
        }
        if (first < 0 || last <= first) {
            return new Window(0, new EnumMap<>(Kind.class), Map.of());
        }
        Map<Long, Long> start = all.get(first).cpu;
        // A thread's last sample in the window: producers come and go with transactions.
        Map<Long, Long> end = new HashMap<>();
        for (int i = first; i <= last; i++) {
            end.putAll(all.get(i).cpu);
        }
        Map<Kind, Double> seconds = new EnumMap<>(Kind.class);
        Map<String, Double> jobThreads = new HashMap<>();
        double java = 0;
        for (Map.Entry<Long, Long> e : end.entrySet()) {
            double s = (e.getValue() - start.getOrDefault(e.getKey(), 0L)) / 1e9;
            java += s;
            String name = names.getOrDefault(e.getKey(), "?");
            Kind kind = kind(name);
            seconds.merge(kind, s, Double::sum);
            if (kind == Kind.JOB) {
                jobThreads.merge(shortName(name), s, Double::sum);
            }
        }
        double jit = (all.get(last).compileMs - all.get(first).compileMs) / 1e3;
        seconds.put(Kind.JIT, jit);
        seconds.put(Kind.NATIVE, Math.max(0, (all.get(last).processCpu - all.get(first).processCpu) / 1e9 - java));
        return new Window(all.get(last).seen - all.get(first).seen, seconds, jobThreads);
    }

    /** "Profiles: evaluate audiences per user -> …" → "Profiles"; a producer's network thread → "producer I/O". */
    private static String shortName(String name) {
        if (name.startsWith("kafka-producer-network-thread")) {
            return "producer I/O";
        }
        if (name.startsWith("Source Data Fetcher")) {
            return "source fetcher";
        }
        String head = name.replaceFirst("^(OutputFlusher for |Time Trigger for |System Time Trigger for )", "");
        int end = head.indexOf(':');
        String task = end > 0 ? head.substring(0, end) : head.replaceAll("[-\\d]+$", "");
        return head.length() < name.length() ? task + " (timers, flusher)" : task;
    }

    /** Batches read in the window, and the CPU seconds each kind of thread spent in it. */
    record Window(long batches, Map<Kind, Double> seconds, Map<String, Double> jobThreads) {
        double microsPerBatch(Kind kind) {
            return batches == 0 ? Double.NaN : seconds.getOrDefault(kind, 0.0) * 1e6 / batches;
        }

        /**
         * Batches per second of one core given to the job's Java threads. Native time is left
         * out: it holds the compiler's warm-up, which a long-running job no longer pays.
         */
        double batchesPerCoreSecond() {
            double s = seconds.getOrDefault(Kind.JOB, 0.0);
            return s == 0 ? Double.NaN : batches / s;
        }

        String summary() {
            StringBuilder threads = new StringBuilder();
            jobThreads.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(5)
                    .forEach(e -> threads.append(threads.length() == 0 ? "" : ", ")
                            .append(String.format("%s %.1f", e.getKey(), e.getValue() * 1e6 / batches)));
            return String.format("%,.0f batches per CPU-second of the job's threads (%.1f µs/batch: %s); native "
                            + "(RocksDB, GC, JIT) %.1f, JIT's own count %.1f, broker and cluster %.1f",
                    batchesPerCoreSecond(), microsPerBatch(Kind.JOB), threads, microsPerBatch(Kind.NATIVE),
                    microsPerBatch(Kind.JIT), microsPerBatch(Kind.OTHER));
        }
    }

    @Override
    public void close() {
        open = false;
        sampler.interrupt();
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
