import Foundation

/// How kbq prints for a person: colour only on a terminal and without NO_COLOR, lines
/// fitted to the terminal's width, labels in the locale's language.
struct Output {
    let color: Bool
    let width: Int
    let lang: UILanguage

    static func current() -> Output {
        let tty = isatty(STDOUT_FILENO) == 1
        let env = ProcessInfo.processInfo.environment
        let noColor = env["NO_COLOR"].map { !$0.isEmpty } ?? false
        var ws = winsize()
        let columns = tty && ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0 && ws.ws_col > 0 ? Int(ws.ws_col)
            : Int(env["COLUMNS"] ?? "") ?? 100
        return Output(color: tty && !noColor && env["TERM"] != "dumb", width: max(40, columns), lang: UILanguage.fromEnvironment())
    }

    func bold(_ s: String) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
    func dim(_ s: String) -> String { color ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
    func accent(_ s: String) -> String { color ? "\u{1B}[36m\(s)\u{1B}[0m" : s }
    func warn(_ s: String) -> String { color ? "\u{1B}[33m\(s)\u{1B}[0m" : s }

    /// kbqd marks matched words with <mark>…</mark>: bold yellow on a terminal, [brackets] elsewhere.
    func marks(_ s: String) -> String {
        s.replacingOccurrences(of: "<mark>", with: color ? "\u{1B}[1;33m" : "[")
            .replacingOccurrences(of: "</mark>", with: color ? "\u{1B}[0m" : "]")
    }

    func t(_ key: UIText) -> String { key.text(lang) }

    /// Wraps `text` to the width with an indent; counts CJK characters as two columns.
    func wrap(_ text: String, indent: String) -> String {
        var lines: [String] = [], line = "", cols = 0
        let limit = width - indent.count
        var visible = true
        for ch in text {
            if ch == "\u{1B}" { visible = false }
            line.append(ch)
            if !visible { if ch == "m" { visible = true }; continue }
            cols += ch.unicodeScalars.first.map { $0.properties.isIdeographic || (0x3000...0xFFEF).contains($0.value) } == true ? 2 : 1
            if cols >= limit {
                // Break at the last space for alphabetic text.
                if let sp = line.lastIndex(of: " "), line.distance(from: sp, to: line.endIndex) < 20 {
                    lines.append(String(line[..<sp]))
                    line = String(line[line.index(after: sp)...])
                } else {
                    lines.append(line)
                    line = ""
                }
                cols = line.count
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.map { indent + $0 }.joined(separator: "\n")
    }
}

/// The languages kbq's messages come in, chosen from LC_ALL, LC_MESSAGES, LANG.
enum UILanguage {
    case en, zhHans, zhHant

    static func fromEnvironment() -> UILanguage {
        let env = ProcessInfo.processInfo.environment
        let value = [env["LC_ALL"], env["LC_MESSAGES"], env["LANG"]].compactMap { $0 }.first { !$0.isEmpty } ?? ""
        let v = value.lowercased()
        guard v.hasPrefix("zh") else { return .en }
        return v.contains("tw") || v.contains("hk") || v.contains("mo") || v.contains("hant") ? .zhHant : .zhHans
    }
}

enum UIText {
    case results, noResults, facets, understood, language, detected, corrections, expansions, markets, updated, stale
    case translations, placeholders, generation, documents, uptime, corpus, lastReindex, running, added, changed
    case removed, problems, took, why, missingPlaceholders, notRunning, startHint, replyMissing, matchedVia
    case clean, instead, templates, taboos, policies, cases, products

    func text(_ l: UILanguage) -> String {
        let (en, hans, hant): (String, String, String) = switch self {
        case .results: ("results", "条结果", "筆結果")
        case .noResults: ("No results.", "没有结果。", "沒有結果。")
        case .facets: ("facets", "分面", "分面")
        case .understood: ("query", "查询理解", "查詢理解")
        case .language: ("language", "语言", "語言")
        case .detected: ("detected", "自动识别", "自動識別")
        case .corrections: ("corrected", "纠错", "糾錯")
        case .expansions: ("expanded", "扩展", "擴展")
        case .markets: ("markets", "市场", "市場")
        case .updated: ("updated", "更新", "更新")
        case .stale: ("possibly out of date", "可能已过时", "可能已過時")
        case .translations: ("translations", "译本", "譯本")
        case .placeholders: ("placeholders", "占位符", "佔位符")
        case .generation: ("generation", "索引代", "索引代")
        case .documents: ("entries", "条目", "條目")
        case .uptime: ("uptime", "运行时间", "運行時間")
        case .corpus: ("corpus", "语料库", "語料庫")
        case .lastReindex: ("last reindex", "上次重建索引", "上次重建索引")
        case .running: ("running", "进行中", "進行中")
        case .added: ("added", "新增", "新增")
        case .changed: ("changed", "更新", "更新")
        case .removed: ("removed", "删除", "刪除")
        case .problems: ("problems", "问题", "問題")
        case .took: ("took", "耗时", "耗時")
        case .why: ("why", "匹配原因", "匹配原因")
        case .missingPlaceholders: ("placeholders left unfilled", "以下占位符未填写", "以下佔位符未填寫")
        case .notRunning: ("kbqd is not running", "kbqd 未运行", "kbqd 未執行")
        case .startHint: ("start it with `kbqd --corpus DIR --data DIR --socket PATH` or `systemctl start kbqd.socket`",
                          "请用 `kbqd --corpus 目录 --data 目录 --socket 路径` 或 `systemctl start kbqd.socket` 启动",
                          "請用 `kbqd --corpus 目錄 --data 目錄 --socket 路徑` 或 `systemctl start kbqd.socket` 啟動")
        case .replyMissing: ("no translation in the reply language", "该回复语言暂无译本", "該回覆語言暫無譯本")
        case .matchedVia: ("matched", "命中条目", "命中條目")
        case .clean: ("No taboo or risky wording found.", "未发现禁忌或风险用语。", "未發現禁忌或風險用語。")
        case .instead: ("instead", "改用", "改用")
        case .templates: ("Reply templates", "回复话术", "回覆話術")
        case .taboos: ("Taboos and risky wording", "禁忌与风险用语", "禁忌與風險用語")
        case .policies: ("Policies", "政策条款", "政策條款")
        case .cases: ("Similar cases", "相似案例", "相似案例")
        case .products: ("Product facts", "产品知识", "產品知識")
        }
        switch l {
        case .en: return en
        case .zhHans: return hans
        case .zhHant: return hant
        }
    }
}
