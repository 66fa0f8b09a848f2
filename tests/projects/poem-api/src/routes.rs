use poem::web::{Json, Path};
use poem::{get, handler, post, Route};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct NewNote {
    title: String,
}

#[handler]
async fn create(Json(note): Json<NewNote>) -> String {
    note.title
}

#[handler]
async fn show(Path(id): Path<u64>) -> String {
    id.to_string()
}

pub fn notes() -> Route {
    Route::new().at("/", post(create)).at("/:id", get(show))
}
