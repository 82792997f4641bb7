import Foundation

/// A loaded corpus: the entries that passed, the market hierarchy, the glossary, and
/// every problem found on the way.
public struct Corpus: Sendable {
    public var root: String
    public var entries: [Entry]
    public var markets: MarketHierarchy
    public var glossary: Glossary
    public var problems: [CorpusProblem]

    public var errors: [CorpusProblem] { problems.filter { $0.severity == .error } }

    public init(root: String, entries: [Entry], markets: MarketHierarchy, glossary: Glossary, problems: [CorpusProblem]) {
        self.root = root; self.entries = entries; self.markets = markets; self.glossary = glossary; self.problems = problems
    }
}

/// Reads a corpus folder. One bad file never stops the rest: each problem is recorded as
/// `path:line: reason` and the other files are loaded.
public struct CorpusLoader: Sendable {
    public static let dataDirectory = "_data"
    public static let marketsFile = "_data/markets.yaml"
    public static let glossaryDirectory = "_data/glossary"

    public let root: String

    public init(root: String) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
    }

    public func load() throws -> Corpus {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
            throw CorpusProblem(root, line: 1, "corpus folder does not exist or is not a folder")
        }
        var problems: [CorpusProblem] = []
        let files = walk(problems: &problems)

        var markets = MarketHierarchy(), marketsKnown = false
        if let text = readText(Self.marketsFile, problems: &problems) {
            let (parsed, found) = MarketHierarchy.parse(text, path: Self.marketsFile)
            markets = parsed
            marketsKnown = true
            problems += found
        }

        var glossary = Glossary(), seenSets: [String: String] = [:]
        for path in files where path.hasPrefix(Self.glossaryDirectory + "/") && path.hasSuffix(".yaml") {
            guard let text = readText(path, problems: &problems) else { continue }
            let (sets, found) = Glossary.parse(text, path: path, seen: &seenSets)
            sets.forEach { glossary.add($0) }
            problems += found
        }

        let parser = EntryParser(markets: markets, marketsKnown: marketsKnown)
        let mdFiles = files.filter { $0.hasSuffix(".md") && !$0.hasPrefix(Self.dataDirectory + "/") }
        // Parsing is independent per file: spread it over the cores, keep the file order.
        let results = concurrentMap(mdFiles) { path -> (Entry?, [CorpusProblem]) in
            guard let bytes = FileManager.default.contents(atPath: root + "/" + path) else {
                return (nil, [CorpusProblem(path, line: 1, "cannot be read")])
            }
            return parser.parse(Array(bytes), path: path)
        }
        var entries: [Entry] = [], byID: [String: Entry] = [:]
        for (entry, found) in results {
            problems += found
            guard let entry else { continue }
            if let first = byID[entry.id] {
                problems.append(CorpusProblem(entry.path, line: 2,
                    "duplicate id `\(entry.id)`: also used by \(first.path); this file is left out"))
                continue
            }
            byID[entry.id] = entry
            entries.append(entry)
        }
        problems += Self.groupProblems(entries)
        return Corpus(root: root, entries: entries, markets: markets, glossary: glossary, problems: problems)
    }

    /// Named entry files only (corpus-relative paths), for a quick reindex after an edit:
    /// the files that parse, the paths whose file is gone, and the problems. Markets are
    /// read again (entries are checked against them); the glossary is not.
    public func loadFiles(_ paths: [String]) -> (entries: [Entry], missing: [String], problems: [CorpusProblem]) {
        var problems: [CorpusProblem] = []
        var markets = MarketHierarchy(), marketsKnown = false
        if let text = readText(Self.marketsFile, problems: &problems) {
            markets = MarketHierarchy.parse(text, path: Self.marketsFile).0
            marketsKnown = true
        }
        let parser = EntryParser(markets: markets, marketsKnown: marketsKnown)
        var entries: [Entry] = [], missing: [String] = []
        for path in Set(paths).sorted() {
            guard Self.isEntryPath(path) else {
                problems.append(CorpusProblem(path, line: 1, "not an entry file of the corpus (a relative path to a .md file outside _data, without `..`)"))
                continue
            }
            var st = stat()
            guard lstat(root + "/" + path, &st) == 0 else {
                if errno == ENOENT { missing.append(path) } else { problems.append(CorpusProblem(path, line: 1, "cannot be read")) }
                continue
            }
            guard st.st_mode & S_IFMT == S_IFREG, let bytes = FileManager.default.contents(atPath: root + "/" + path) else {
                problems.append(CorpusProblem(path, line: 1, "not a regular file: not read"))
                continue
            }
            let (entry, found) = parser.parse(Array(bytes), path: path)
            problems += found
            if let entry { entries.append(entry) }
        }
        return (entries, missing, problems)
    }

    /// A path an entry file may have: relative, inside the corpus, Markdown, not data.
    public static func isEntryPath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return path.hasSuffix(".md") && !path.hasPrefix("/") && !path.hasPrefix(dataDirectory + "/")
            && !parts.contains { $0.isEmpty || $0 == "." || $0 == ".." || $0.hasPrefix(".") } && !path.contains("\0")
    }

    /// Members of one translation group should not share a language.
    static func groupProblems(_ entries: [Entry]) -> [CorpusProblem] {
        var seen: [String: Entry] = [:], out: [CorpusProblem] = []
        for e in entries {
            guard let g = e.group else { continue }
            let key = g + "\u{0}" + e.lang
            if let other = seen[key] {
                out.append(CorpusProblem(e.path, line: 2,
                    "group `\(g)` already has a `\(e.lang)` member (\(other.path))", severity: .warning))
            } else {
                seen[key] = e
            }
        }
        return out
    }

    /// Every regular file below the root, relative and sorted; symbolic links and other
    /// non-regular files are reported, never followed, so nothing outside the corpus is read.
    private func walk(problems: inout [CorpusProblem]) -> [String] {
        var out: [String] = []
        var stack = [""]
        let fm = FileManager.default
        while let dir = stack.popLast() {
            let abs = dir.isEmpty ? root : root + "/" + dir
            guard let names = try? fm.contentsOfDirectory(atPath: abs) else {
                problems.append(CorpusProblem(dir.isEmpty ? "." : dir, line: 1, "folder cannot be read"))
                continue
            }
            for name in names.sorted() where !name.hasPrefix(".") {
                let rel = dir.isEmpty ? name : dir + "/" + name
                let type = (try? fm.attributesOfItem(atPath: root + "/" + rel))?[.type] as? FileAttributeType
                switch type {
                case .typeDirectory?: stack.append(rel)
                case .typeRegular?: out.append(rel)
                case .typeSymbolicLink?:
                    guard rel.hasSuffix(".md") || rel.hasSuffix(".yaml") || !rel.contains(".") else { continue }
                    let target = (try? fm.destinationOfSymbolicLink(atPath: root + "/" + rel)) ?? "?"
                    let resolved = URL(fileURLWithPath: root + "/" + rel).resolvingSymlinksInPath().path
                    let outside = !(resolved == root || resolved.hasPrefix(root + "/"))
                    problems.append(CorpusProblem(rel, line: 1, outside
                        ? "symbolic link to \(target), outside the corpus: not read"
                        : "symbolic link to \(target): the corpus holds regular files only, not read"))
                default:
                    if rel.hasSuffix(".md") || rel.hasSuffix(".yaml") {
                        problems.append(CorpusProblem(rel, line: 1, "not a regular file: not read"))
                    }
                }
            }
        }
        return out.sorted()
    }

    /// `_data` files (markets, glossary) are parsed whole: bounded so memory is too.
    static let maxDataFileSize = 8 << 20

    private func readText(_ path: String, problems: inout [CorpusProblem]) -> String? {
        var st = stat()
        if stat(root + "/" + path, &st) == 0, Int(st.st_size) > Self.maxDataFileSize {
            problems.append(CorpusProblem(path, line: 1, "file over \(Self.maxDataFileSize >> 20) MiB: not read"))
            return nil
        }
        guard let data = FileManager.default.contents(atPath: root + "/" + path) else { return nil }
        guard let text = EntryParser.decodeUTF8(Array(data)) else {
            problems.append(CorpusProblem(path, line: EntryParser.lineOfInvalidUTF8(Array(data)), "invalid UTF-8"))
            return nil
        }
        return text
    }
}

/// `map` over the cores, results in input order.
public func concurrentMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
    let results = UnsafeMutableBufferPointer<R?>.allocate(capacity: items.count)
    results.initialize(repeating: nil)
    defer {
        // Deallocating alone would leak every result the buffer still holds.
        results.deinitialize()
        results.deallocate()
    }
    nonisolated(unsafe) let out = results
    DispatchQueue.concurrentPerform(iterations: items.count) { i in out[i] = transform(items[i]) }
    return results.map { $0! }
}
