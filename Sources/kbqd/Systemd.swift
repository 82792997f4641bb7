import CSystemd

/// sd_notify and socket activation through libsystemd. Every call is a no-op when kbqd
/// does not run under systemd (no NOTIFY_SOCKET, no LISTEN_FDS).
enum Systemd {
    static func notify(_ state: String) {
        _ = sd_notify(0, state)
    }

    /// The first socket systemd passed (fd 3), if LISTEN_PID names this process.
    static func listenSocket() -> Int32? {
        let n = sd_listen_fds(1)
        return n >= 1 ? SD_LISTEN_FDS_START : nil
    }

    /// The watchdog interval in microseconds, if systemd asked for keep-alives.
    static func watchdogMicroseconds() -> UInt64? {
        var usec: UInt64 = 0
        return sd_watchdog_enabled(0, &usec) > 0 ? usec : nil
    }
}
