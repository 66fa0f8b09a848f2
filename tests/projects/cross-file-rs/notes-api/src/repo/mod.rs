pub mod files;
pub mod notes;
pub mod users;
