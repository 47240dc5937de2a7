import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif

/// S3's XML, built by hand with every text escaped.
enum S3XML {
    static let header = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r" {
                    out += "&#x\(String(scalar.value, radix: 16));"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func element(_ name: String, _ text: String) -> String { "<\(name)>\(escape(text))</\(name)>" }

    static func error(_ error: GatewayError, resource: String, requestID: String) -> String {
        header + "<Error>" + element("Code", error.s3Code) + element("Message", error.description)
            + element("Resource", resource) + element("RequestId", requestID) + "</Error>"
    }

    /// ISO 8601 with milliseconds, as S3 writes times in XML.
    static func time(_ millis: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    /// RFC 7231 date, for Last-Modified.
    static func httpDate(_ millis: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis / 1000)))
    }
}

/// The few request bodies S3 sends as XML (`Delete`, `CompleteMultipartUpload`): parsed into
/// elements' texts by path, with the size bounded before parsing.
final class SimpleXMLReader: NSObject, XMLParserDelegate {
    /// Each leaf element's text with its path of element names (`Delete/Object/Key`).
    private(set) var leaves: [(path: [String], text: String)] = []
    /// Index of each occurrence of `groupElement` start, so leaves can be grouped.
    private var stack: [String] = []
    private var text = ""
    private(set) var groups: [[String: String]] = []
    private let groupElement: String
    private var current: [String: String]?

    init(groupElement: String) { self.groupElement = groupElement }

    static func parse(_ bytes: [UInt8], groupElement: String) throws(GatewayError) -> [[String: String]] {
        let reader = SimpleXMLReader(groupElement: groupElement)
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse() else { throw .malformedXML("the XML body is not well-formed") }
        return reader.groups
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        stack.append(elementName)
        text = ""
        if elementName == groupElement { current = [:] }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == groupElement, let group = current {
            groups.append(group)
            current = nil
        } else if current != nil {
            current?[elementName] = text
        }
        text = ""
        stack.removeLast()
    }
}
