import Foundation
import Testing

/// The real `kbq` binary against a real kbqd.
@Suite(.serialized) struct CLITests {
    let d: Daemon
    init() throws { d = try Daemon(config: "socket_mode = \"0666\"\n") }

    @Test func humanOutputHasRankedBlocksAndNoEscapesInAPipe() throws {
        let r = try d.kbq(["search", "退貨", "運費", "--market", "DE", "--limit", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("1. [") && r.stdout.contains("id: ") && r.stdout.contains("markets: "))
        #expect(r.stdout.contains("[退货运费]") || r.stdout.contains("[运费]"), "matched words bracketed without colour")
        #expect(r.stdout.contains("query: language zh (detected)"))
        #expect(!r.stdout.contains("\u{1B}"), "no escape codes into a pipe")
    }

    @Test func colourOnlyOnATerminalAndNotWithNoColor() throws {
        // `script` gives kbq a pseudo-terminal.
        let command = "\(Paths.kbq) search refund --limit 1"
        let tty = try run("/usr/bin/script", ["-qec", command, "/dev/null"], env: ["KBQ_SOCKET": d.socket, "TERM": "xterm", "NO_COLOR": ""])
        #expect(tty.status == 0, "\(tty.stdout)")
        #expect(tty.stdout.contains("\u{1B}["), "colour on a terminal")
        let plain = try run("/usr/bin/script", ["-qec", command, "/dev/null"], env: ["KBQ_SOCKET": d.socket, "TERM": "xterm", "NO_COLOR": "1"])
        #expect(!plain.stdout.contains("\u{1B}[1"), "NO_COLOR turns colour off")
    }

    @Test func jsonIsTheDaemonsAndIgnoresTheLocale() throws {
        let en = try d.kbq(["search", "refund", "--json", "--limit", "3"])
        let zh = try d.kbq(["search", "refund", "--json", "--limit", "3"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(en.status == 0 && zh.status == 0)
        let results = en.json["results"] as? [[String: Any]] ?? []
        #expect(results.count == 3)
        for key in ["id", "kind", "lang", "title", "score"] { #expect(results.allSatisfy { $0[key] != nil }, "\(key)") }
        let ids = { (r: Run) in (r.json["results"] as? [[String: Any]] ?? []).map { $0["id"] as? String ?? "" } }
        #expect(ids(en) == ids(zh))
    }

    @Test func chineseLocales() throws {
        let hans = try d.kbq(["search", "refund", "--limit", "1"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(hans.stdout.contains("条结果") && hans.stdout.contains("查询理解"))
        let hant = try d.kbq(["search", "refund", "--limit", "1"], env: ["LC_ALL": "zh_TW.UTF-8"])
        #expect(hant.stdout.contains("筆結果"))
        let status = try d.kbq(["status"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(status.status == 0 && status.stdout.contains("条目"))
    }

    @Test func showFillAndItsExitCodes() throws {
        let show = try d.kbq(["show", "phr-refund-confirmation-de"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("{{customer_name}}"), "placeholders visible")
        #expect(show.stdout.contains("zh-Hans phr-refund-confirmation-zh-hans"), "translations listed")
        let ja = try d.kbq(["show", "phr-refund-confirmation-de", "--lang", "ja"])
        #expect(ja.status == 0 && ja.stdout.contains("phr-refund-confirmation-ja"))

        let missing = try d.kbq(["show", "phr-refund-confirmation-de", "--fill", "customer_name=Frau Weber"])
        #expect(missing.status == 1)
        #expect(missing.stdout.isEmpty, "a text with raw placeholders is not printed")
        #expect(missing.stderr.contains("{{order_id}}") && missing.stderr.contains("{{agent_name}}"))
        let allowed = try d.kbq(["show", "phr-refund-confirmation-de", "--fill", "customer_name=Frau Weber", "--allow-missing"])
        #expect(allowed.status == 0 && allowed.stdout.contains("Frau Weber"))
        let full = try d.kbq(["show", "phr-refund-confirmation-en", "--fill", "customer_name=Ana", "order_id=A1",
                              "refund_amount=EUR 5", "days=3", "agent_name=Li"])
        #expect(full.status == 0 && !full.stdout.contains("{{"))
        #expect(try d.kbq(["show", "no-such-entry"]).status == 65)
    }

    @Test func exitCodes() throws {
        let none = try run(Paths.kbq, ["status", "--socket", d.dir + "/nothing.sock"])
        #expect(none.status == 69)
        #expect(none.stderr.contains(d.dir + "/nothing.sock") && none.stderr.contains("kbqd"))
        #expect(none.stderr.split(separator: "\n").count == 1, "one line, no stack trace")
        #expect(try d.kbq(["search", "--no-such-flag"]).status == 64)
        #expect(try d.kbq(["search", "x", "--market", "XX"]).status == 65)
        let asNobody = try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Paths.kbq, "reindex", "--socket", d.socket])
        #expect(asNobody.status == 77, "\(asNobody.stderr)")
        // A socket that exists but is not the user's to use (mode 0660, not in the group).
        let closed = try Daemon()
        let denied = try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Paths.kbq, "status", "--socket", closed.socket])
        #expect(denied.status == 77 && denied.stderr.contains("permission denied on \(closed.socket)"), "\(denied.stderr)")
        #expect(try d.kbq(["validate", Paths.corpus]).status == 0)
        #expect(try d.kbq(["validate", d.dir + "/no-corpus"]).status == 66)
    }

    @Test func reindexWaitsAndSummarises() throws {
        let r = try d.kbq(["reindex", "--wait"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("incremental succeeded") && r.stdout.contains("added 0"))
        let status = try d.kbq(["status"])
        #expect(status.stdout.contains("last reindex"))
    }
}

/// `kbq check`, `brief`, `stale` and `show --raw`.
@Suite(.serialized) struct ScenarioCLITests {
    let d: Daemon
    init() throws {
        let corpus = try copyCorpus()
        try oldPolicy.write(toFile: corpus + "/policy/en/pol-old-rule.md", atomically: true, encoding: .utf8)
        d = try Daemon(corpus: corpus)
    }

    @Test func checkExitsOneWhenFlagged() throws {
        let flagged = try d.kbq(["check", "-", "--market", "DE"], stdin: "Garantiert 100% wirksam!")
        #expect(flagged.status == 1)
        #expect(flagged.stdout.contains("tab-global-medical-claims"))
        let clean = try d.kbq(["check", "-", "--market", "DE"], stdin: "Vielen Dank für Ihre Geduld.")
        #expect(clean.status == 0 && clean.stdout.contains("No taboo"))
        let json = try d.kbq(["check", "-", "--market", "DE", "--json"], stdin: "100% wirksam")
        #expect((json.json["findings"] as? [Any])?.isEmpty == false)
    }

    @Test func briefAndStale() throws {
        let brief = try d.kbq(["brief", "--message", "-", "--market", "DE"], stdin: "Hallo, mein Paket hängt beim Zoll. Ich möchte mein Geld zurück.")
        #expect(brief.status == 0)
        #expect(brief.stdout.contains("Reply templates (de)") && brief.stdout.contains("Policies") && brief.stdout.contains("Similar cases"))
        let stale = try d.kbq(["stale", "--older-than", "180d", "--kind", "policy"])
        #expect(stale.status == 0 && stale.stdout.contains("pol-old-rule") && stale.stdout.contains("2020-01-01"))
        #expect(try d.kbq(["stale", "--older-than", "soon"]).status == 64)
    }

    @Test func showRawPrintsTheSourceFile() throws {
        let r = try d.kbq(["show", "pol-de-widerrufsrecht", "--raw"])
        let file = try String(contentsOfFile: Paths.corpus + "/policy/zh-Hans/pol-de-widerrufsrecht.md", encoding: .utf8)
        #expect(r.status == 0 && r.stdout == file)
        #expect(try d.kbq(["show", "pol-de-widerrufsrecht", "--raw", "--lang", "fr"]).status == 65, "no French translation")
    }
}
