mod filters;
mod handlers;

#[tokio::main]
async fn main() {
    let settings = handlers::Settings { status_url: std::env::var("STATUS_URL").unwrap_or_default() };
    warp::serve(filters::routes(settings)).run(([0, 0, 0, 0], 3030)).await;
}
