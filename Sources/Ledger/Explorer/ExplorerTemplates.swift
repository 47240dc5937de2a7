import Mustache

/// The explorer's pages. Every value goes through `{{…}}`, which escapes HTML: blobber URLs and regions
/// come from registrations anyone can submit. Links are built only from hex ids and heights. No
/// scripts and no external assets.
enum ExplorerTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in pages {
            // The templates are constants of this file: a parse error is a programming error caught by
            // the explorer's tests, never input.
            try! library.register(text, named: name)
        }
        return library
    }()

    static let pages: [String: String] = [
        "layout": """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{title}} · ledger explorer</title>
            <style>
            body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
            header{background:#1d2430;color:#fff;padding:10px 24px}header a{color:#fff;margin-right:18px;text-decoration:none}
            main{padding:16px 24px;max-width:1400px}h1{font-size:20px}h2{font-size:16px;margin-top:24px}
            table{border-collapse:collapse;background:#fff;width:100%;margin:8px 0}
            th,td{border:1px solid #dde1e6;padding:4px 8px;text-align:left;vertical-align:top}
            th{background:#eef0f3}code{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
            .ok{color:#0a7a32}.bad{color:#b3261e}dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}
            dt{font-weight:600}pre{background:#fff;border:1px solid #dde1e6;padding:8px;overflow:auto}
            </style></head><body>
            <header><a href="/explorer">Ledger explorer</a><a href="/explorer/allocations">Allocations</a>
            <a href="/explorer/blobbers">Blobbers</a><a href="/explorer/challenges">Challenges</a></header>
            <main><h1>{{title}}</h1>{{{body}}}</main></body></html>
            """,
        "overview": """
            <dl><dt>Height</dt><dd>{{height}}</dd><dt>Ledger key</dt><dd><code>{{publicKey}}</code></dd>
            <dt>Faucet</dt><dd>{{faucet}}</dd></dl>
            <h2>Supply</h2>
            <p class="{{#supply.conserved}}ok{{/supply.conserved}}{{^supply.conserved}}bad{{/supply.conserved}}">
            minted {{supply.minted}} = balances {{supply.balances}} + write pools {{supply.writePools}}
            + challenge pools {{supply.challengePools}} + stakes {{supply.stakes}} = {{supply.held}}
            ({{#supply.conserved}}conserved{{/supply.conserved}}{{^supply.conserved}}NOT conserved{{/supply.conserved}})</p>
            <h2>Latest blocks</h2>
            {{#blocks}}{{> blockTable}}{{/blocks}}
            """,
        "blockTable": """
            <table><tr><th colspan="4">Block <a href="/explorer/blocks/{{height}}">{{height}}</a> · {{time}}
            · {{txCount}} transactions · <code>{{hash}}</code></th></tr>
            {{#transactions}}<tr><td>{{kind}}</td><td><a href="/explorer/transactions/{{hash}}"><code>{{short}}</code></a></td>
            <td>from <code>{{sender}}</code></td><td>{{summary}}</td></tr>{{/transactions}}
            {{#more}}<tr><td colspan="4"><a href="/explorer/blocks/{{height}}">{{more}} more</a></td></tr>{{/more}}</table>
            """,
        "block": """
            <dl><dt>Height</dt><dd>{{height}}</dd><dt>Hash</dt><dd><code>{{hash}}</code></dd>
            <dt>Previous</dt><dd>{{#previous}}<a href="/explorer/blocks/{{previous}}">{{previous}}</a> {{/previous}}<code>{{previousHash}}</code></dd>
            <dt>Sealed</dt><dd>{{time}}</dd><dt>Transactions root</dt><dd><code>{{txRoot}}</code></dd>
            <dt>State root</dt><dd><code>{{stateRoot}}</code></dd><dt>Signature</dt><dd><code>{{signature}}</code></dd></dl>
            {{> blockTable}}
            """,
        "transaction": """
            <dl><dt>Hash</dt><dd><code>{{hash}}</code></dd><dt>Kind</dt><dd>{{kind}}</dd>
            <dt>Block</dt><dd><a href="/explorer/blocks/{{block}}">{{block}}</a></dd><dt>Status</dt><dd>{{status}}</dd>
            <dt>Sender key</dt><dd><code>{{publicKey}}</code></dd><dt>Nonce</dt><dd>{{nonce}}</dd>
            <dt>Signed at</dt><dd>{{time}}</dd><dt>Applied at</dt><dd>{{appliedAt}}</dd>
            {{#allocation}}<dt>Allocation</dt><dd><a href="/explorer/allocations/{{allocation}}"><code>{{allocation}}</code></a></dd>{{/allocation}}</dl>
            <h2>Payload</h2><pre>{{payload}}</pre><h2>Result</h2><pre>{{result}}</pre>
            """,
        "allocations": """
            <table><tr><th>Allocation</th><th>Owner</th><th>Shards</th><th>Size</th><th>Expiry</th><th>Write pool</th><th>State</th></tr>
            {{#allocations}}<tr><td><a href="/explorer/allocations/{{id}}"><code>{{id}}</code></a></td><td><code>{{owner}}</code></td>
            <td>{{shards}}</td><td>{{size}}</td><td>{{expiry}}</td><td>{{writePool}}</td><td>{{state}}</td></tr>{{/allocations}}
            </table>{{#next}}<p><a href="/explorer/allocations?after={{next}}">next page</a></p>{{/next}}
            """,
        "allocation": """
            <dl><dt>Id</dt><dd><code>{{id}}</code></dd><dt>Owner</dt><dd><code>{{owner}}</code></dd>
            <dt>Shards</dt><dd>{{shards}}</dd><dt>Size</dt><dd>{{size}} bytes ({{shardSize}} per blobber)</dd>
            <dt>Created</dt><dd>{{created}}</dd><dt>Expiry</dt><dd>{{expiry}}</dd>
            <dt>Write pool</dt><dd>{{writePool}}</dd><dt>State</dt><dd>{{state}}</dd></dl>
            <h2>Blobbers</h2>
            <table><tr><th>Shard</th><th>Blobber</th><th>Sequence</th><th>Allocation root</th><th>Chain size</th>
            <th>Paid</th><th>Challenge pool</th><th>Write price</th></tr>
            {{#blobbers}}<tr><td>{{shard}}</td><td><code>{{blobber}}</code></td><td>{{sequence}}</td><td><code>{{root}}</code></td>
            <td>{{chainSize}}</td><td>{{paid}}</td><td>{{challengePool}}</td><td>{{writePrice}}</td></tr>{{/blobbers}}</table>
            <h2>Challenges</h2>{{> challengeTable}}
            """,
        "blobbers": """
            <table><tr><th>Blobber</th><th>URL</th><th>Region</th><th>Capacity</th><th>Used</th><th>Write price</th>
            <th>Read price</th><th>Stake</th><th>Registered</th></tr>
            {{#blobbers}}<tr><td><code>{{id}}</code></td><td>{{url}}</td><td>{{region}}</td><td>{{capacity}}</td><td>{{used}}</td>
            <td>{{writePrice}}</td><td>{{readPrice}}</td><td>{{stake}}</td><td>{{registered}}</td></tr>{{/blobbers}}</table>
            """,
        "challenges": """
            {{> challengeTable}}
            """,
        "challengeTable": """
            <table><tr><th>Challenge</th><th>Allocation</th><th>Blobber</th><th>Issued</th><th>Deadline</th><th>Outcome</th></tr>
            {{#challenges}}<tr><td><code>{{id}}</code></td><td><a href="/explorer/allocations/{{allocation}}"><code>{{allocationShort}}</code></a></td>
            <td><code>{{blobber}}</code></td><td>{{issued}}</td><td>{{deadline}}</td><td>{{status}}</td></tr>{{/challenges}}
            {{^challenges}}<tr><td colspan="6">none</td></tr>{{/challenges}}</table>
            """,
        "error": """
            <p class="bad">{{code}}: {{message}}</p>
            """,
    ]
}
