//! `archlint lsp` driven as an editor drives it: the real binary, JSON-RPC messages with
//! `Content-Length` framing on its standard input and output. Every wait has a deadline, so a
//! server that hangs or stays silent fails the test instead of blocking it.

mod common;

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(20);

struct Client {
    server: Child,
    input: ChildStdin,
    output: Receiver<Value>,
    /// Messages read while waiting for another one.
    unread: VecDeque<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut server = Command::new(env!("CARGO_BIN_EXE_archlint"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("archlint lsp starts");
        let input = server.stdin.take().unwrap();
        let stdout = server.stdout.take().unwrap();
        let (sender, output) = mpsc::channel();
        // The reader thread ends when the server closes its output.
        std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut stdout) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Client { server, input, output, unread: VecDeque::new(), next_id: 1 }
    }

    /// Starts the server and completes the handshake with `root` as the workspace folder.
    fn initialized(root: &Path) -> Client {
        let mut client = Client::start();
        let result = client.request("initialize", initialize_params(root));
        assert_eq!(result["serverInfo"]["name"], "archlint");
        client.notify("initialized", json!({}));
        client
    }

    fn send_raw(&mut self, body: &str) {
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.input.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        self.send_raw(&message.to_string());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its response (result or error).
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait_for(&format!("the response to `{method}`"), |m| m["id"] == id && m.get("method").is_none())
    }

    /// Sends a request that must succeed and returns its result.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    /// The next `publishDiagnostics` for version `version` of `uri` (no version: cleared on
    /// close). The server may publish a version again (when project facts come in); the content
    /// is the same unless the facts changed it.
    fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Value {
        let published = self.wait_for(&format!("diagnostics for {uri} version {version:?}"), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri && m["params"]["version"] == json!(version)
        });
        published["params"].clone()
    }

    /// Drops the publications for `uri` read so far: the next one waited for is one the server
    /// sent after the last message read.
    fn forget(&mut self, uri: &str) {
        self.unread.retain(|m| m["params"]["uri"] != uri);
    }

    /// Waits until the background scan's project facts are in, dropping what came before: what
    /// is published next was scanned against them.
    fn facts_in(&mut self) {
        let is_log = |m: &Value| m["method"] == "window/logMessage" && m["params"]["message"].as_str().unwrap().contains("project facts");
        match self.unread.iter().position(is_log) {
            Some(at) => drop(self.unread.drain(..=at)),
            None => {
                self.wait_for("the project facts", is_log);
                self.unread.clear();
            }
        }
    }

    fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.unread.iter().position(&wanted) {
            return self.unread.remove(at).unwrap();
        }
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message =
                self.output.recv_timeout(left).unwrap_or_else(|_| panic!("no {what} within {DEADLINE:?}; read {:?}", self.unread));
            if wanted(&message) {
                return message;
            }
            self.unread.push_back(message);
        }
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        let document = json!({ "uri": uri, "languageId": language, "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document }));
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        let params = json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] });
        self.notify("textDocument/didChange", params);
    }

    /// `shutdown`, then `exit`: the server must exit with 0.
    fn shut_down(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        assert_eq!(self.exit_code(), Some(0));
    }

    fn exit_code(&mut self) -> Option<i32> {
        let deadline = Instant::now() + DEADLINE;
        while Instant::now() < deadline {
            if let Some(status) = self.server.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server did not exit within {DEADLINE:?}");
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A test that failed half-way leaves no server behind.
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

fn read_frame(input: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length.expect("the server sent a Content-Length")];
    input.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the server sent JSON"))
}

fn initialize_params(root: &Path) -> Value {
    let uri = uri(root);
    json!({
        "processId": null,
        "rootUri": uri,
        "workspaceFolders": [{ "uri": uri, "name": "project" }],
        "capabilities": { "textDocument": { "publishDiagnostics": { "relatedInformation": true } } }
    })
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A project directory with an `archlint.toml` (which makes it the root, whatever lies above it).
/// A project with this configuration. Without a selection of its own, it selects the audit rules
/// these tests were written against beside the default tiers (`common::TESTED_AUDIT_RULES`: the
/// `http://` literal of `plain-http-url` is the cheapest finding there is).
fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = if config.contains("selec") {
        config.to_string()
    } else {
        let audit: Vec<String> = common::TESTED_AUDIT_RULES.split(',').map(|rule| format!("\"{rule}\"")).collect();
        format!("select = [\"security\", \"hardening\", {}]\n{config}", audit.join(", "))
    };
    std::fs::write(dir.path().join("archlint.toml"), config).unwrap();
    dir
}

fn docs(rule: &str) -> String {
    format!("{}/{rule}.md", archlint::DOCS_BASE_URL)
}

fn codes(published: &Value) -> Vec<&str> {
    published["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect()
}

const PLAIN_HTTP: &str =
    "import axios from 'axios';\n\nexport async function charge() {\n  return axios.post('http://payments.acme-corp.io/charge', {}, { timeout: 5000 });\n}\n";

#[test]
fn typescript_diagnostics_follow_the_buffer_and_suppress_with_a_quick_fix() {
    let dir = project("");
    let mut client = Client::start();
    let init = client.request("initialize", initialize_params(dir.path()));
    let capabilities = &init["capabilities"];
    assert_eq!(capabilities["textDocumentSync"]["change"], 1, "full text sync");
    assert_eq!(capabilities["textDocumentSync"]["openClose"], true);
    assert!(capabilities["textDocumentSync"]["save"].is_object(), "{capabilities}");
    assert_eq!(capabilities["codeActionProvider"]["codeActionKinds"], json!(["quickfix"]));
    assert_eq!(init["serverInfo"], json!({ "name": "archlint", "version": env!("CARGO_PKG_VERSION") }));
    client.notify("initialized", json!({}));

    // The buffer is never saved: the server scans the text it was sent.
    let uri = uri(&dir.path().join("src/billing.ts"));
    client.open(&uri, "typescript", PLAIN_HTTP);
    let published = client.diagnostics(&uri, Some(1));
    assert_eq!(published["version"], 1);
    let diagnostics = published["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{published}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["code"], "plain-http-url");
    assert_eq!(diagnostic["source"], "archlint");
    assert_eq!(diagnostic["severity"], 2, "warning");
    assert_eq!(diagnostic["codeDescription"]["href"], docs("plain-http-url"));
    assert_eq!(diagnostic["range"], json!({ "start": { "line": 3, "character": 20 }, "end": { "line": 3, "character": 57 } }));
    assert!(diagnostic["message"].as_str().unwrap().contains("payments.acme-corp.io"), "{diagnostic}");

    // The client asks for actions at the cursor and hands back the diagnostics there.
    let cursor = json!({ "start": { "line": 3, "character": 30 }, "end": { "line": 3, "character": 30 } });
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": cursor, "context": { "diagnostics": diagnostics } }),
    );
    let actions = actions.as_array().unwrap();
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Fix: use `https://`", "Suppress plain-http-url on this line", "Suppress plain-http-url in this file"]);
    assert!(actions.iter().all(|a| a["kind"] == "quickfix" && a["diagnostics"][0] == *diagnostic));
    assert_eq!(actions[0]["isPreferred"], false, "an unsafe fix is offered, not preferred");
    let edit = &actions[1]["edit"]["changes"][&uri];
    let above = json!({ "start": { "line": 3, "character": 0 }, "end": { "line": 3, "character": 0 } });
    assert_eq!(edit[0]["range"], above);
    let comment = edit[0]["newText"].as_str().unwrap();
    assert_eq!(comment, "  // archlint-ignore-next-line plain-http-url -- TODO: why this is safe\n");
    let file_edit = &actions[2]["edit"]["changes"][&uri][0];
    assert_eq!(file_edit["range"]["start"], json!({ "line": 0, "character": 0 }));
    assert_eq!(file_edit["newText"], "// archlint-ignore-file plain-http-url -- TODO: why this is safe\n");

    // The client applies the edit: the finding is suppressed.
    let mut lines: Vec<&str> = PLAIN_HTTP.split_inclusive('\n').collect();
    lines.insert(3, comment);
    client.change(&uri, 2, &lines.concat());
    let published = client.diagnostics(&uri, Some(2));
    assert_eq!(published["version"], 2);
    assert_eq!(published["diagnostics"], json!([]));

    // The URL is fixed but the comment stays: it now suppresses nothing.
    lines[4] = "  return axios.post('https://payments.acme-corp.io/charge', {}, { timeout: 5000 });\n";
    client.change(&uri, 3, &lines.concat());
    let published = client.diagnostics(&uri, Some(3));
    assert_eq!(codes(&published), ["unused-suppression"]);
    assert_eq!(published["diagnostics"][0]["tags"], json!([1]), "shown as unnecessary");

    // A clean buffer clears the diagnostics; so does closing it.
    lines.remove(3);
    client.change(&uri, 4, &lines.concat());
    assert_eq!(client.diagnostics(&uri, Some(4))["diagnostics"], json!([]));
    client.open(&uri, "typescript", PLAIN_HTTP);
    assert_eq!(codes(&client.diagnostics(&uri, Some(1))), ["plain-http-url"]);
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(client.diagnostics(&uri, None)["diagnostics"], json!([]));
    client.shut_down();
}

#[test]
fn rust_columns_count_utf16_code_units() {
    let dir = project("");
    let mut client = Client::initialized(dir.path());
    let uri = uri(&dir.path().join("src/main.rs"));
    let text = "fn main() {\n    let (_s, client) = (\"é😀\", reqwest::Client::new());\n    let _ = client;\n}\n";
    client.open(&uri, "rust", text);
    let published = client.diagnostics(&uri, Some(1));
    // The project scan in the background publishes the buffer again; let it be done.
    client.facts_in();
    assert_eq!(client.diagnostics(&uri, Some(1)), published, "published again with the facts");
    let diagnostic = &published["diagnostics"][0];
    assert_eq!(codes(&published), ["http-client-without-timeout"]);
    assert_eq!(diagnostic["severity"], 2);
    assert_eq!(diagnostic["codeDescription"]["href"], docs("http-client-without-timeout"));
    // Before `reqwest` the line holds 30 characters, 31 UTF-16 code units (😀 is two) and 34 bytes.
    assert_eq!(diagnostic["range"]["start"], json!({ "line": 1, "character": 31 }));
    assert_eq!(diagnostic["range"]["end"], json!({ "line": 1, "character": 53 }));
    assert!(diagnostic["message"].as_str().unwrap().contains("\nhelp: "), "the help travels with the message: {diagnostic}");

    // Half-typed Rust does not parse, so it is not analysed: what was published stands.
    client.change(&uri, 2, &text.replace("let _ = client;", "let _ = ;"));
    client.change(&uri, 3, text);
    assert_eq!(codes(&client.diagnostics(&uri, Some(3))), ["http-client-without-timeout"]);
    assert!(!client.unread.iter().any(|m| m["params"]["version"] == 2), "nothing published for the text that does not parse");

    // Saving rescans (the configuration may have changed on disk): here it turns the rule off.
    std::fs::write(dir.path().join("archlint.toml"), "ignore = [\"http-client-without-timeout\"]\n").unwrap();
    client.notify("textDocument/didSave", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(client.diagnostics(&uri, Some(3))["diagnostics"], json!([]));
    client.shut_down();
}

/// A scan of the whole project reports `main.ts` (the controller takes a DTO, and no global
/// `ValidationPipe` checks it) and not `api.ts` (`http.ts` sets an axios default timeout); a scan of
/// those two files alone reports the opposite. The editor shows what the whole scan shows.
#[test]
fn buffers_are_scanned_against_the_facts_of_the_whole_project() {
    let dir = project("");
    let write = |path: &str, text: &str| {
        std::fs::create_dir_all(dir.path().join(path).parent().unwrap()).unwrap();
        std::fs::write(dir.path().join(path), text).unwrap();
    };
    let http = "import axios from 'axios';\naxios.defaults.timeout = 5000;\n";
    write("src/http.ts", http);
    // Security headers are set for the app, so `main.ts` is judged on its validation alone.
    write("src/headers.ts", "import helmet from 'helmet';\nexport const headers = helmet();\n");
    write(
        "src/users.controller.ts",
        "import { Body, Controller, Post } from '@nestjs/common';\nimport { CreateUserDto } from './create-user.dto';\n\n\
         @Controller('users')\nexport class UsersController {\n  @Post()\n  create(@Body() dto: CreateUserDto) {\n    return dto;\n  }\n}\n",
    );
    let main = "import { NestFactory } from '@nestjs/core';\nimport { AppModule } from './app.module';\n\n\
                async function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  app.enableShutdownHooks();\n  await app.listen(3000);\n}\nbootstrap();\n";
    let api = "import axios from 'axios';\nexport const get = () => axios.get('https://api.acme-corp.io/x');\n";

    let mut client = Client::initialized(dir.path());
    let (api_uri, main_uri, http_uri) =
        (uri(&dir.path().join("src/api.ts")), uri(&dir.path().join("src/main.ts")), uri(&dir.path().join("src/http.ts")));
    client.open(&api_uri, "typescript", api);
    client.facts_in();
    assert_eq!(client.diagnostics(&api_uri, Some(1))["diagnostics"], json!([]), "withdrawn by `axios.defaults.timeout` in http.ts");
    client.open(&main_uri, "typescript", main);
    assert_eq!(codes(&client.diagnostics(&main_uri, Some(1))), ["missing-input-validation"], "the controller on disk takes a DTO");

    // An edit in one buffer changes what the project establishes: the others follow.
    let validated = main.replace("  await app.listen", "  app.useGlobalPipes(new ValidationPipe());\n  await app.listen");
    client.change(&main_uri, 2, &validated);
    assert_eq!(client.diagnostics(&main_uri, Some(2))["diagnostics"], json!([]));
    client.open(&http_uri, "typescript", http);
    assert_eq!(client.diagnostics(&http_uri, Some(1))["diagnostics"], json!([]));
    client.change(&http_uri, 2, "import axios from 'axios';\n");
    assert_eq!(client.diagnostics(&http_uri, Some(2))["diagnostics"], json!([]));
    client.forget(&api_uri);
    assert_eq!(codes(&client.diagnostics(&api_uri, Some(1))), ["http-client-without-timeout"], "the default timeout is gone");
    // Closed without saving: the file on disk sets the timeout again.
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": http_uri } }));
    assert_eq!(client.diagnostics(&http_uri, None)["diagnostics"], json!([]));
    client.forget(&api_uri);
    assert_eq!(client.diagnostics(&api_uri, Some(1))["diagnostics"], json!([]));
    client.shut_down();
}

/// A service's SQL built from a parameter is a finding when a controller in another file passes
/// it request data: from the files on disk once the project scan is in, and following the
/// controller's buffer as it is edited.
#[test]
fn request_data_from_other_files_reaches_the_buffers_sinks() {
    let dir = project("");
    let write = |path: &str, text: &str| {
        std::fs::create_dir_all(dir.path().join(path).parent().unwrap()).unwrap();
        std::fs::write(dir.path().join(path), text).unwrap();
    };
    let service = "import { pool } from './db';\nexport function byOwner(owner: string) {\n  return pool.query(`SELECT * FROM t WHERE o = '${owner}'`);\n}\n";
    let routes = "import { byOwner } from './service';\nexport function list(req, res) {\n  res.json(byOwner(req.query.owner));\n}\n";
    write("src/service.ts", service);
    write("src/routes.ts", routes);
    let mut client = Client::initialized(dir.path());
    let (service_uri, routes_uri) = (uri(&dir.path().join("src/service.ts")), uri(&dir.path().join("src/routes.ts")));
    client.open(&service_uri, "typescript", service);
    client.facts_in();
    let published = client.diagnostics(&service_uri, Some(1));
    assert_eq!(codes(&published), ["sql-injection"], "routes.ts on disk passes `req.query.owner`");
    let message = published["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("SQL text from request data (`req.query.owner`)"), "{message}");
    let related = &published["diagnostics"][0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], routes_uri, "the source, in the controller's file");
    assert_eq!(related["location"]["range"]["start"], json!({ "line": 2, "character": 19 }));
    assert_eq!(related["message"], "request data enters here: `req.query.owner`");

    // The controller stops passing request data: the service's buffer follows.
    client.open(&routes_uri, "typescript", routes);
    assert_eq!(client.diagnostics(&routes_uri, Some(1))["diagnostics"], json!([]));
    client.forget(&service_uri);
    client.change(&routes_uri, 2, &routes.replace("req.query.owner", "'me'"));
    assert_eq!(client.diagnostics(&routes_uri, Some(2))["diagnostics"], json!([]));
    assert_eq!(client.diagnostics(&service_uri, Some(1))["diagnostics"], json!([]), "republished without the finding");
    client.shut_down();
}

/// A repository of two projects: each buffer is checked with its nearest `archlint.toml` and
/// against the facts of its own project only (`web/`'s axios default timeout answers `web/`'s
/// call, not `api-ts/`'s).
#[test]
fn each_buffer_of_a_monorepo_is_checked_in_its_own_project() {
    let dir = project("");
    let write = |path: &str, text: &str| {
        std::fs::create_dir_all(dir.path().join(path).parent().unwrap()).unwrap();
        std::fs::write(dir.path().join(path), text).unwrap();
    };
    write("web/src/http.ts", "import axios from 'axios';\naxios.defaults.timeout = 5000;\n");
    let call = "import axios from 'axios';\nexport const get = () => axios.get('https://api.acme-corp.io/x');\n";
    let link = "export const DOCS = 'http://docs.acme-corp.io/api';\n";
    write("web/src/client.ts", call);
    write("web/src/links.ts", link);
    write("api-ts/archlint.toml", "ignore = [\"plain-http-url\"]\n");
    write("api-ts/src/client.ts", call);
    write("api-ts/src/links.ts", link);

    let mut client = Client::initialized(dir.path());
    let path = |p: &str| uri(&dir.path().join(p));
    client.open(&path("api-ts/src/client.ts"), "typescript", call);
    client.facts_in();
    assert_eq!(
        codes(&client.diagnostics(&path("api-ts/src/client.ts"), Some(1))),
        ["http-client-without-timeout"],
        "web's axios default is another project's fact"
    );
    client.open(&path("api-ts/src/links.ts"), "typescript", link);
    assert_eq!(client.diagnostics(&path("api-ts/src/links.ts"), Some(1))["diagnostics"], json!([]), "api-ts ignores plain-http-url");
    client.open(&path("web/src/client.ts"), "typescript", call);
    client.facts_in();
    assert_eq!(client.diagnostics(&path("web/src/client.ts"), Some(1))["diagnostics"], json!([]), "answered by web's axios default");
    client.open(&path("web/src/links.ts"), "typescript", link);
    assert_eq!(codes(&client.diagnostics(&path("web/src/links.ts"), Some(1))), ["plain-http-url"], "the root configuration");
    client.shut_down();
}

/// A finding with a fix offers it as the preferred code action, before the suppressions.
#[test]
fn a_findings_fix_is_the_preferred_code_action() {
    let dir = project("");
    let text = "import https from 'node:https';\nexport const agent = new https.Agent({ rejectUnauthorized: false });\n";
    let path = dir.path().join("src/agent.ts");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let mut client = Client::initialized(dir.path());
    let file = uri(&path);
    client.open(&file, "typescript", text);
    let published = client.diagnostics(&file, Some(1));
    assert_eq!(codes(&published), ["tls-verification-disabled"]);
    let diagnostic = published["diagnostics"][0].clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": file }, "range": diagnostic["range"], "context": { "diagnostics": [diagnostic] } }),
    );
    let first = &actions[0];
    assert_eq!(first["title"], "Fix: set `rejectUnauthorized: true`");
    assert_eq!(first["isPreferred"], true);
    let edit = &first["edit"]["changes"][file.as_str()][0];
    assert_eq!(edit["newText"], "true");
    assert_eq!(edit["range"]["start"], json!({ "line": 1, "character": 59 }));
    assert!(actions[1]["title"].as_str().unwrap().starts_with("Suppress tls-verification-disabled"), "{actions}");
    client.shut_down();
}

#[test]
fn data_flow_findings_point_at_their_source() {
    let dir = project("");
    let mut client = Client::initialized(dir.path());
    let uri = uri(&dir.path().join("src/users.ts"));
    let text = "app.get('/u', async (req, res) => {\n  const id = req.query.id;\n  res.json(await db.query('SELECT * FROM users WHERE id = ' + id));\n});\n";
    client.open(&uri, "typescript", text);
    let published = client.diagnostics(&uri, Some(1));
    assert_eq!(codes(&published), ["sql-injection"]);
    let related = &published["diagnostics"][0]["relatedInformation"];
    assert_eq!(related[0]["location"]["uri"], uri);
    assert_eq!(related[0]["location"]["range"], json!({ "start": { "line": 1, "character": 13 }, "end": { "line": 1, "character": 25 } }));
    assert_eq!(related[0]["message"], "request data enters here: `req.query.id`");
    client.shut_down();
}

#[test]
fn files_a_project_scan_skips_get_no_diagnostics() {
    // `hardcoded-secret` is an audit rule: selected by name.
    let dir = project("exclude = [\"legacy/\"]\nselect = [\"security\", \"hardening\", \"hardcoded-secret\"]\n");
    let mut client = Client::initialized(dir.path());
    let secret = "const stripeKey = 'sk_live_51HqLyjWDarjtT1zdp7dcXYZabcdefghijkLMNOP';\n";
    let scanned = uri(&dir.path().join("src/keys.ts"));
    client.open(&scanned, "typescript", secret);
    let published = client.diagnostics(&scanned, Some(1));
    assert_eq!(codes(&published), ["hardcoded-secret"]);
    assert_eq!(published["diagnostics"][0]["severity"], 1, "error");

    for skipped in ["notes.md", "src/keys.py", "legacy/keys.ts", "node_modules/sdk/keys.js", "tests/keys.ts", "src/keys.d.ts"] {
        let uri = uri(&dir.path().join(skipped));
        client.open(&uri, "typescript", secret);
        assert_eq!(client.diagnostics(&uri, Some(1))["diagnostics"], json!([]), "{skipped}");
    }
    client.open("untitled:Untitled-1", "typescript", secret);
    assert_eq!(client.diagnostics("untitled:Untitled-1", Some(1))["diagnostics"], json!([]));
    client.shut_down();
}

#[test]
fn a_broken_configuration_is_shown_once() {
    let dir = project("selec = []\n");
    let mut client = Client::initialized(dir.path());
    let uri = uri(&dir.path().join("a.ts"));
    client.open(&uri, "typescript", PLAIN_HTTP);
    let shown = client.wait_for("a message", |m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["type"], 1, "an error");
    let message = shown["params"]["message"].as_str().unwrap();
    assert!(message.contains("archlint.toml:1: unknown field `selec`"), "{message}");
    assert_eq!(client.diagnostics(&uri, Some(1))["diagnostics"], json!([]));
    client.change(&uri, 2, PLAIN_HTTP);
    client.diagnostics(&uri, Some(2));
    assert!(!client.unread.iter().any(|m| m["method"] == "window/showMessage"), "{:?}", client.unread);

    // Mended on disk: the next scan reads it again.
    std::fs::write(dir.path().join("archlint.toml"), "select = [\"plain-http-url\"]\n").unwrap();
    client.change(&uri, 3, PLAIN_HTTP);
    assert_eq!(codes(&client.diagnostics(&uri, Some(3))), ["plain-http-url"]);
    client.shut_down();
}

#[test]
fn malformed_messages_are_answered_and_the_server_goes_on() {
    let dir = project("");
    let mut client = Client::start();
    let early = client.call("textDocument/codeAction", json!({}));
    assert_eq!(early["error"]["code"], -32002, "not initialized yet: {early}");
    client.request("initialize", initialize_params(dir.path()));
    client.notify("initialized", json!({}));

    client.send_raw("{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\"");
    let parse_error = client.wait_for("a parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(parse_error["id"], Value::Null);
    client.send_raw("[1, 2, 3]");
    let invalid = client.wait_for("an invalid request error", |m| m["error"]["code"] == -32600);
    assert_eq!(invalid["id"], Value::Null);
    // A header without a length, whose body then runs into the next message's header.
    write!(client.input, "Content-Type: application/json\r\n\r\n{{\"jsonrpc\": \"2.0\"}}").unwrap();

    let bad_params = client.call("textDocument/codeAction", json!({ "textDocument": 3 }));
    assert_eq!(bad_params["error"]["code"], -32602, "{bad_params}");
    let unknown = client.call("textDocument/hover", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    client.notify("textDocument/didOpen", json!({ "textDocument": "nope" }));
    client.notify("$/unknownNotification", json!({}));

    // Still serving.
    let uri = uri(&dir.path().join("a.ts"));
    client.open(&uri, "typescript", PLAIN_HTTP);
    assert_eq!(codes(&client.diagnostics(&uri, Some(1))), ["plain-http-url"]);
    client.shut_down();
}

#[test]
fn exit_without_shutdown_is_an_error_exit() {
    let mut client = Client::start();
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_code(), Some(1));

    // The input closes without `exit`: the editor went away. (`--stdio`, which some clients
    // pass, is accepted.)
    let status = Command::new(env!("CARGO_BIN_EXE_archlint"))
        .args(["lsp", "--stdio"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
}
