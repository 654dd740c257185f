//! Profile photos over HTTP. `POST /api/photos/{user}` (multipart, field `photo`; `{user}` is an id
//! or `me`) stores a photo for oneself, or for anyone in the organisation when an admin asks;
//! `GET /api/photos/{user}` serves it to people of the same organisation. The rules crate decides
//! what a photo may be. A browser form sends `return_to` and is sent back there, with
//! `?photo_error=<code>` when the photo was refused; other clients get a status and JSON.

use app::AppError;
use app::roster::welcome::{MAX_PHOTO_BYTES, Photo, PhotoProblem, PhotoType};
use app::session::{Permission, Viewer};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::JsonError;
use crate::session::SignedIn;
use crate::storage::SqlStore;

/// The user a path names, if the viewer may change their photo.
fn subject(viewer: &Viewer, user: &str) -> Result<i64, AppError> {
    let id = if user == "me" { viewer.user_id } else { user.parse().map_err(|_| AppError::NotFound)? };
    if id == viewer.user_id || viewer.permission == Permission::Admin { Ok(id) } else { Err(AppError::Forbidden) }
}

/// A same-site path to send a browser back to; anything else is ignored.
fn safe_return(path: &str) -> Option<String> {
    let ok = path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') && !path.contains("://");
    ok.then(|| path.split('?').next().unwrap_or(path).to_owned())
}

/// What an upload carried.
#[derive(Default)]
struct Upload {
    bytes: Vec<u8>,
    too_large: bool,
    return_to: Option<String>,
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, AppError> {
    let unreadable = |_| AppError::BadRequest("The upload could not be read; choose the photo again and retry.".into());
    let mut upload = Upload::default();
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("photo") => {
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if upload.bytes.len() + chunk.len() > MAX_PHOTO_BYTES {
                        upload.too_large = true;
                        upload.bytes.clear();
                        break;
                    }
                    upload.bytes.extend_from_slice(&chunk);
                }
            }
            Some("return_to") => upload.return_to = field.text().await.ok().as_deref().and_then(safe_return),
            _ => {}
        }
    }
    Ok(upload)
}

/// A multipart form; anything else is refused with what to send.
pub struct Form(Multipart);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = JsonError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Multipart::from_request(request, state).await.map(Form).map_err(|_| {
            JsonError(AppError::BadRequest("Send the photo as a multipart form with a `photo` field.".into()))
        })
    }
}

pub async fn post_photo(
    State(store): State<SqlStore>,
    SignedIn(viewer): SignedIn,
    Path(user): Path<String>,
    Form(multipart): Form,
) -> Result<Response, JsonError> {
    let user_id = subject(&viewer, &user)?;
    let upload = read_upload(multipart).await?;
    let photo = if upload.too_large { Err(PhotoProblem::TooLarge) } else { Photo::parse(upload.bytes) };
    let photo = match (photo, &upload.return_to) {
        (Ok(photo), _) => photo,
        (Err(problem), Some(back)) => {
            return Ok(Redirect::to(&format!("{back}?photo_error={}", problem.code())).into_response());
        }
        (Err(problem), None) => return Err(AppError::BadRequest(problem.to_string()).into()),
    };
    store.save_photo(viewer.org_id, viewer.user_id, user_id, &photo).await?;
    Ok(match upload.return_to {
        Some(back) => Redirect::to(&back).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

pub async fn get_photo(
    State(store): State<SqlStore>,
    SignedIn(viewer): SignedIn,
    Path(user): Path<String>,
) -> Result<Response, JsonError> {
    let user_id = if user == "me" { Some(viewer.user_id) } else { user.parse().ok() };
    let user_id = user_id.ok_or(AppError::NotFound)?;
    let (content_type, bytes) = store.photo(viewer.org_id, user_id).await?.ok_or(AppError::NotFound)?;
    let kind = PhotoType::from_content_type(&content_type).map_or("application/octet-stream", |t| t.content_type());
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_site_paths_are_returned_to() {
        assert_eq!(safe_return("/welcome/profile").as_deref(), Some("/welcome/profile"));
        assert_eq!(safe_return("/team/users/4?photo_error=x").as_deref(), Some("/team/users/4"));
        assert_eq!(safe_return("//evil.test/x"), None);
        assert_eq!(safe_return("https://evil.test/"), None);
        assert_eq!(safe_return("/\\evil.test"), None);
    }
}
