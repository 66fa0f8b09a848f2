mod routes;
mod shutdown;

#[tokio::main]
async fn main() {
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await.expect("bind");
    shutdown::serve(listener, routes::router()).await;
}
