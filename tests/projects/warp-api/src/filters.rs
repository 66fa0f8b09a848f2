use crate::handlers::{self, Hook, Preview, Settings};
use warp::Filter;

fn with_settings(settings: Settings) -> impl Filter<Extract = (Settings,), Error = std::convert::Infallible> + Clone {
    warp::any().map(move || settings.clone())
}

pub fn routes(settings: Settings) -> impl Filter<Extract = impl warp::Reply, Error = warp::Rejection> + Clone {
    let preview = warp::path!("preview")
        .and(warp::get())
        .and(warp::query::<Preview>())
        .and(with_settings(settings.clone()))
        .and_then(handlers::preview);
    let mirror = warp::path!("mirror" / String).and(warp::header::<String>("x-token")).and_then(handlers::mirror);
    let status = warp::path!("status").and(with_settings(settings)).and_then(handlers::status);
    let echo = warp::path!("echo" / String).and_then(echo);
    let hooks = warp::path!("hooks").and(json_body()).and_then(handlers::notify);
    // Handlers written in place: the path parameter is the client's, the settings are not.
    let fetch = warp::path!("fetch" / String).and(with_settings(settings_for_fetch())).and_then(
        |target: String, settings: Settings| async move {
            let page = reqwest::get(target).await.map_err(|_| warp::reject())?;
            let status = reqwest::get(settings.status_url).await.map_err(|_| warp::reject())?;
            Ok::<_, warp::Rejection>(format!("{} {}", page.status(), status.status()))
        },
    );
    let probe = warp::path!("probe").and(warp::query::<Preview>()).map(|preview: Preview| {
        let hosts = ["https://a.example.com", "https://b.example.com"];
        for host in hosts.iter().map(|host| host.to_string()) {
            drop(reqwest::get(host));
        }
        drop(reqwest::get(preview.url));
        "probing"
    });
    preview.or(mirror).or(status).or(echo).or(hooks).or(fetch).or(probe)
}

fn settings_for_fetch() -> Settings {
    Settings { status_url: "https://status.example.com".to_string() }
}

fn json_body() -> impl Filter<Extract = (Hook,), Error = warp::Rejection> + Clone {
    warp::body::content_length_limit(1024 * 16).and(warp::body::json())
}

// A handler in the same file as its filter.
async fn echo(target: String) -> Result<String, warp::Rejection> {
    let body = reqwest::get(target).await.map_err(|_| warp::reject())?;
    body.text().await.map_err(|_| warp::reject())
}
