//! Pagination: a walk over several pages, an empty list, a server that clamps `per_page`,
//! a total that changes during the walk, and an error part-way.

mod common;

use common::{AGENT, client};
use futures::{StreamExt, TryStreamExt};
use httpmock::Method::GET;
use httpmock::MockServer;
use osvi_ext::Error;
use serde_json::{Value, json};

fn calls(ids: std::ops::Range<u32>) -> Vec<Value> {
    ids.map(|i| json!({"call_id": format!("call-{i}"), "status": "picked"}))
        .collect()
}

fn page_body(
    items: Vec<Value>,
    page: u64,
    total_pages: u64,
    total_count: u64,
    per_page: u64,
) -> Value {
    json!({"success": true, "data": items,
           "meta": {"current_page": page, "total_pages": total_pages, "total_count": total_count, "per_page": per_page}})
}

#[tokio::test]
async fn stream_walks_three_pages_in_order_and_stops() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for page in 1..=3u32 {
        let start = (page - 1) * 2;
        let end = if page == 3 { 5 } else { start + 2 };
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/v1/calls")
                        .query_param("page", page.to_string())
                        .query_param("per_page", "2")
                        .query_param("status", "picked");
                    then.status(200)
                        .json_body(page_body(calls(start..end), page.into(), 3, 5, 2));
                })
                .await,
        );
    }
    let ids: Vec<String> = client(&server)
        .calls()
        .list()
        .status([osvi_ext::calls::CallStatus::Picked])
        .per_page(2)
        .stream()
        .map_ok(|call| call.call_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["call-0", "call-1", "call-2", "call-3", "call-4"]);
    for mock in mocks {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn an_empty_list_is_one_request_and_no_items() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/dnd_numbers")
                .query_param("agent_uuid", AGENT)
                .query_param("page", "1");
            then.status(200)
                .json_body(page_body(Vec::new(), 1, 0, 0, 25));
        })
        .await;
    let entries = client(&server)
        .dnd()
        .list(AGENT)
        .collect_all()
        .await
        .unwrap();
    assert!(entries.is_empty());
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_server_that_clamps_per_page_is_followed_by_total_pages() {
    // Asked for 100 per page, the server answers 40 per page (its own cap) over 3 pages.
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for page in 1..=3u32 {
        let start = (page - 1) * 40;
        let end = (start + 40).min(100);
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.path("/v1/calls")
                        .query_param("page", page.to_string())
                        .query_param("per_page", "100");
                    then.status(200).json_body(page_body(
                        calls(start..end),
                        page.into(),
                        3,
                        100,
                        40,
                    ));
                })
                .await,
        );
    }
    let all = client(&server)
        .calls()
        .list()
        .per_page(100)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 100);
    assert_eq!(all[99].call_id, "call-99");
    for mock in mocks {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn a_total_that_grows_during_the_walk_is_followed() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.path("/v1/calls").query_param("page", "1");
            then.status(200)
                .json_body(page_body(calls(0..2), 1, 1, 2, 2));
        })
        .await;
    // Page 1 said 1 page in all: the walk stops there even though page 2 exists now.
    let second = server
        .mock_async(|when, then| {
            when.path("/v1/calls").query_param("page", "2");
            then.status(200)
                .json_body(page_body(calls(2..3), 2, 2, 3, 2));
        })
        .await;
    let all = client(&server)
        .calls()
        .list()
        .per_page(2)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    first.assert_calls_async(1).await;
    second.assert_calls_async(0).await;

    // When the total grows between pages, the newest total is followed.
    let server = MockServer::start_async().await;
    let bodies = [
        page_body(calls(0..2), 1, 2, 4, 2),
        page_body(calls(2..4), 2, 3, 5, 2),
        page_body(calls(4..5), 3, 3, 5, 2),
    ];
    for (i, body) in bodies.into_iter().enumerate() {
        server
            .mock_async(|when, then| {
                when.path("/v1/calls")
                    .query_param("page", (i + 1).to_string());
                then.status(200).json_body(body);
            })
            .await;
    }
    let all = client(&server)
        .calls()
        .list()
        .per_page(2)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
}

#[tokio::test]
async fn the_stream_is_lazy_and_ends_after_an_error() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.path("/v1/calls").query_param("page", "1");
            then.status(200)
                .json_body(page_body(calls(0..2), 1, 3, 6, 2));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.path("/v1/calls").query_param("page", "2");
            then.status(503)
                .json_body(json!({"success": false, "error": "overloaded"}));
        })
        .await;
    let third = server
        .mock_async(|when, then| {
            when.path("/v1/calls").query_param("page", "3");
            then.status(200)
                .json_body(page_body(calls(4..6), 3, 3, 6, 2));
        })
        .await;
    let mut stream = std::pin::pin!(client(&server).calls().list().per_page(2).stream());
    assert_eq!(
        first.calls_async().await,
        0,
        "nothing is fetched before the stream is polled"
    );
    assert_eq!(stream.next().await.unwrap().unwrap().call_id, "call-0");
    assert_eq!(stream.next().await.unwrap().unwrap().call_id, "call-1");
    assert_eq!(
        second.calls_async().await,
        0,
        "page 2 is fetched only when page 1 is used up"
    );
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(
        matches!(&err, Error::Server(f) if f.messages == vec!["overloaded"]),
        "{err:?}"
    );
    assert!(stream.next().await.is_none());
    third.assert_calls_async(0).await;
}

#[tokio::test]
async fn prefetching_walks_the_same_pages_once_each() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for page in 1..=3u32 {
        let start = (page - 1) * 2;
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.path("/v1/calls")
                        .query_param("page", page.to_string())
                        .query_param("per_page", "2");
                    then.status(200).json_body(page_body(
                        calls(start..start + 2),
                        page.into(),
                        3,
                        6,
                        2,
                    ));
                })
                .await,
        );
    }
    let beyond = server
        .mock_async(|when, then| {
            when.path("/v1/calls").query_param("page", "4");
            then.status(200)
                .json_body(page_body(Vec::new(), 4, 3, 6, 2));
        })
        .await;
    let ids: Vec<String> = client(&server)
        .calls()
        .list()
        .per_page(2)
        .prefetch(true)
        .stream()
        .map_ok(|call| call.call_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        ids,
        ["call-0", "call-1", "call-2", "call-3", "call-4", "call-5"]
    );
    for mock in mocks {
        mock.assert_calls_async(1).await;
    }
    beyond.assert_calls_async(0).await;
}
