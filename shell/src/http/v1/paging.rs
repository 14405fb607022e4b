//! v1 paging parameters: `cursor`, its alias `since_cursor`, `prev_cursor` (our cursors carry
//! their direction, so a previous-page cursor works wherever a cursor does) and the deprecated
//! `offset`, which skips rows from the start of the result by walking pages through the
//! service (bounded by [`MAX_OFFSET`]).

use aurum_core::service::{CursorPage, ParameterProblem};

use crate::http::params::Params;
use crate::http::problem::{ApiError, kinds};

/// Largest accepted `offset`.
pub const MAX_OFFSET: usize = 10_000;

/// The names a v1 cursor may come under, in order of precedence.
const CURSOR_NAMES: [&str; 3] = ["cursor", "since_cursor", "prev_cursor"];

/// Where a v1 page starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct V1Paging {
    /// The cursor, from whichever parameter named it.
    pub cursor: Option<String>,
    /// That parameter's name.
    pub cursor_param: &'static str,
    /// Rows to skip from the start of the result.
    pub offset: Option<usize>,
}

/// Reads the cursor parameters and `offset`, recording problems in `p`.
pub fn read(p: &mut Params) -> V1Paging {
    let given: Vec<(&'static str, String)> = CURSOR_NAMES
        .iter()
        .filter_map(|n| {
            p.raw(n)
                .filter(|c| !c.is_empty())
                .map(|c| (*n, c.to_owned()))
        })
        .collect();
    let mut paging = V1Paging {
        cursor_param: "cursor",
        ..V1Paging::default()
    };
    if let Some((name, value)) = given.first() {
        if given.iter().any(|(_, v)| v != value) {
            p.problems.push(ParameterProblem::new(
                given[1].0,
                "give only one of cursor, since_cursor and prev_cursor",
            ));
        }
        paging.cursor = Some(value.clone());
        paging.cursor_param = name;
    }
    if p.raw("offset").is_some() {
        let offset = p.integer("offset", 0, 0, MAX_OFFSET);
        if paging.cursor.is_some() {
            p.problems.push(ParameterProblem::new(
                "offset",
                "offset cannot be combined with a cursor; follow next_cursor instead",
            ));
        }
        paging.offset = Some(offset);
    }
    paging
}

/// Names the parameter the client actually used in a cursor problem.
fn rename_cursor_problem(mut e: ApiError, name: &str) -> ApiError {
    if e.kind == kinds::INVALID_CURSOR {
        for item in &mut e.errors {
            if item.parameter.as_deref() == Some("cursor") {
                item.parameter = Some(name.to_owned());
            }
        }
    }
    e
}

/// The page `paging` names, `limit` rows long: after skipping `offset` rows (in chunks of at
/// most `chunk` rows), or from the cursor, or the first page. `fetch(limit, cursor)` reads
/// one page through the service.
///
/// # Errors
/// Whatever `fetch` fails with (cursor problems name the parameter the client used).
pub async fn fetch<T>(
    paging: &V1Paging,
    limit: usize,
    chunk: usize,
    fetch: impl AsyncFn(usize, Option<String>) -> Result<CursorPage<T>, ApiError>,
) -> Result<CursorPage<T>, ApiError> {
    let mut cursor = paging.cursor.clone();
    let mut skip = paging.offset.unwrap_or(0);
    while skip > 0 {
        let page = fetch(skip.min(chunk.max(1)), cursor.take()).await?;
        skip = skip.saturating_sub(page.items.len());
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => {
                return Ok(CursorPage {
                    items: Vec::new(),
                    next_cursor: None,
                    prev_cursor: None,
                });
            }
        }
    }
    fetch(limit, cursor)
        .await
        .map_err(|e| rename_cursor_problem(e, paging.cursor_param))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn params(query: &str) -> Params {
        let req = TestRequest::with_uri(&format!("/v1/curves?{query}")).to_http_request();
        Params::of(&req).unwrap()
    }

    #[test]
    fn since_cursor_and_prev_cursor_are_cursors() {
        let mut p = params("since_cursor=abc");
        let paging = read(&mut p);
        assert_eq!(paging.cursor.as_deref(), Some("abc"));
        assert_eq!(paging.cursor_param, "since_cursor");
        let mut p = params("prev_cursor=xyz");
        assert_eq!(read(&mut p).cursor_param, "prev_cursor");
        assert!(p.problems.is_empty());
    }

    #[test]
    fn conflicting_cursors_and_offset_with_a_cursor_are_problems() {
        let mut p = params("cursor=a&since_cursor=b");
        read(&mut p);
        assert_eq!(p.problems.len(), 1);
        let mut p = params("cursor=a&offset=3");
        read(&mut p);
        assert_eq!(p.problems[0].parameter, "offset");
        let mut p = params("offset=10001");
        read(&mut p);
        assert_eq!(p.problems[0].parameter, "offset");
    }

    #[actix_web::test]
    async fn offset_walks_pages_and_skips_exactly_that_many_rows() {
        let rows: Vec<usize> = (0..23).collect();
        let serve = async |limit: usize, cursor: Option<String>| {
            let start: usize = cursor.map_or(0, |c| c.parse().unwrap());
            let end = (start + limit).min(rows.len());
            Ok(CursorPage {
                items: rows[start..end].to_vec(),
                next_cursor: (end < rows.len()).then(|| end.to_string()),
                prev_cursor: None,
            })
        };
        let paging = V1Paging {
            offset: Some(7),
            ..V1Paging::default()
        };
        let page = fetch(&paging, 5, 3, serve).await.unwrap();
        assert_eq!(page.items, vec![7, 8, 9, 10, 11]);
        let paging = V1Paging {
            offset: Some(40),
            ..V1Paging::default()
        };
        let page = fetch(&paging, 5, 3, serve).await.unwrap();
        assert!(page.items.is_empty() && page.next_cursor.is_none());
    }
}
