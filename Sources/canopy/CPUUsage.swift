import Core
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the machine's CPU went while one side of a benchmark ran: this process, the children it has
/// reaped (wrk, pgbench), and the whole machine (`/proc/stat`), so that a ratio comes with its cause. On
/// two shared cores a ratio moves with the machine's idle time as much as with anyone's CPU per operation.
struct CPUUsage {
    var process: Duration
    var children: Duration
    var machineBusy: Duration
    var machineIdle: Duration

    /// Now; nil where `/proc/stat` cannot be read (not Linux).
    static func now() -> CPUUsage? {
        guard let machine = machineTimes() else { return nil }
        return CPUUsage(process: rusage(RUSAGE_SELF.rawValue), children: rusage(RUSAGE_CHILDREN.rawValue),
                        machineBusy: machine.busy, machineIdle: machine.idle)
    }

    static func - (after: CPUUsage, before: CPUUsage) -> CPUUsage {
        CPUUsage(process: after.process - before.process, children: after.children - before.children,
                 machineBusy: after.machineBusy - before.machineBusy, machineIdle: after.machineIdle - before.machineIdle)
    }

    /// `canopy 216 µs, wrk 35 µs, the rest 79 µs a command; machine 19 % idle` for `operations` done, where
    /// the rest is PostgreSQL and everything else on the machine. `process` nil leaves this process out
    /// (it idled while only the reference ran).
    func perOperation(_ operations: Double, _ unit: String, process name: String?, client: String) -> String {
        func micros(_ duration: Duration) -> String { "\(Int((duration.seconds * 1_000_000 / max(operations, 1)).rounded())) µs" }
        let rest = max(machineBusy - process - children, .zero)
        let idle = machineIdle.seconds / max((machineBusy + machineIdle).seconds, .leastNonzeroMagnitude) * 100
        let parts = (name.map { ["\($0) \(micros(process))"] } ?? []) + ["\(client) \(micros(children))", "the rest \(micros(rest))"]
        return "\(parts.joined(separator: ", ")) \(unit); machine \(Int(idle.rounded())) % idle"
    }

    private static func rusage(_ who: Int32) -> Duration {
        var usage = Glibc.rusage()
        guard getrusage(who, &usage) == 0 else { return .zero }
        func duration(_ time: timeval) -> Duration { .seconds(time.tv_sec) + .microseconds(time.tv_usec) }
        return duration(usage.ru_utime) + duration(usage.ru_stime)
    }

    /// The first line of `/proc/stat`: user nice system idle iowait irq softirq steal, in clock ticks.
    private static func machineTimes() -> (busy: Duration, idle: Duration)? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Int64($0) }
        guard ticks.count >= 8 else { return nil }
        let perSecond = Int64(sysconf(Int32(_SC_CLK_TCK)))
        func duration(_ count: Int64) -> Duration { .nanoseconds(count * 1_000_000_000 / max(perSecond, 1)) }
        let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
        return (duration(busy), duration(ticks[3] + ticks[4]))
    }
}
