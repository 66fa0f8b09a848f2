use axum::Router;
use tokio::net::TcpListener;

pub async fn serve(listener: TcpListener, app: Router) {
    axum::serve(listener, app).with_graceful_shutdown(terminated()).await.expect("serve");
}

async fn terminated() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    term.recv().await;
}
