mod routes;

use poem::listener::TcpListener;
use poem::middleware::SizeLimit;
use poem::{EndpointExt, Route, Server};

#[tokio::main]
async fn main() -> Result<(), std::io::Error> {
    let app = Route::new().nest("/notes", routes::notes()).with(SizeLimit::new(256 * 1024));
    Server::new(TcpListener::bind("0.0.0.0:3000")).run(app).await
}
