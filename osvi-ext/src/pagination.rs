//! Pages of list endpoints, and the lazy [`Stream`] that walks them.
//!
//! `GET /v1/calls` and `GET /v1/dnd_numbers` are paginated with `page` (1-based) and
//! `per_page` (at most 100: a larger value is sent as 100), and answer with a `meta` object. A list builder offers three ways
//! to read them: `.page(n)` for one [`Page`] with its [`PageMeta`], `.stream()` for every
//! item, fetched one page at a time, and `.collect_all()` to gather everything in a `Vec`.
//!
//! The stream holds one page in memory (two with `.prefetch(true)`, which requests the next
//! page as soon as the current one arrives, so it downloads while you work through the
//! items), stops after the last page that `meta.total_pages`
//! announces (re-read on every page, so a total that changes during the walk is followed) or
//! at the first empty page, and ends after yielding the first error.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! # async fn run(client: osvi_ext::Client) -> osvi_ext::Result<()> {
//! let mut calls = std::pin::pin!(client.calls().list().per_page(100).stream());
//! while let Some(call) = calls.try_next().await? {
//!     let status = call.status.as_ref().map_or("unknown", |s| s.as_str());
//!     println!("{} {status}", call.call_id);
//! }
//! # Ok(()) }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::{Stream, StreamExt, TryStreamExt, stream};
use osvi_generated::{Lenient, types};

use crate::error::Result;
use crate::wire::FromWire;

/// The server's default page size (the spec's `default` of `per_page`, which both list
/// operations share), assumed when the caller sets none.
const DEFAULT_PER_PAGE: u32 =
    osvi_generated::limit(osvi_generated::spec::rules::list_calls::PER_PAGE.default) as u32;

/// Fetches one page (1-based) of a checked list request.
type Fetch<T> = Arc<dyn Fn(u32) -> BoxFuture<'static, Result<Page<T>>> + Send + Sync>;

/// A checked list request without its page number, ready to fetch any page.
pub(crate) struct Pager<T> {
    fetch: Fetch<T>,
    per_page: Option<u32>,
    prefetch: bool,
}

impl<T> Clone for Pager<T> {
    fn clone(&self) -> Self {
        Pager {
            fetch: self.fetch.clone(),
            per_page: self.per_page,
            prefetch: self.prefetch,
        }
    }
}

/// The documented maximum page size (the spec's `x-osvi-capped-at` of `per_page`).
const MAX_PER_PAGE: u32 =
    osvi_generated::limit(osvi_generated::spec::rules::list_calls::PER_PAGE.capped_at) as u32;

/// `per_page` as sent: at most the documented maximum.
pub(crate) fn capped_per_page(per_page: u32) -> u32 {
    per_page.min(MAX_PER_PAGE)
}

/// The paging options every list builder carries: `per_page` and `prefetch`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Paging {
    pub(crate) per_page: Option<u32>,
    pub(crate) prefetch: bool,
}

/// A list operation of the API (`GET /v1/calls`, `GET /v1/dnd_numbers`): its own checks and
/// how it fetches one page. [`list_methods!`] gives its builder the public paging methods.
pub(crate) trait ListRequest: Send + Sync + Sized + 'static {
    /// What one entry of the list is.
    type Item: Send + 'static;

    /// The builder's paging options.
    fn paging(&self) -> Paging;

    /// Checks the request's own fields (the page options are checked by [`Pager::of`]).
    fn check(&self) -> Result<()>;

    /// Page `page` (1-based) of the checked request.
    fn fetch(&self, page: u32) -> impl Future<Output = Result<Page<Self::Item>>> + Send;
}

impl<T: Send + 'static> Pager<T> {
    /// The checked request `list`, ready to fetch any page.
    pub(crate) fn of<L: ListRequest<Item = T>>(list: L) -> Result<Self> {
        list.check()?;
        let Paging { per_page, prefetch } = list.paging();
        let list = Arc::new(list);
        Ok(Pager {
            fetch: Arc::new(move |page| {
                let list = list.clone();
                Box::pin(async move { list.fetch(page).await })
            }),
            per_page,
            prefetch,
        })
    }

    /// Page `page` (1-based) of the list.
    pub(crate) async fn page(&self, page: u32) -> Result<Page<T>> {
        (self.fetch)(page).await
    }

    /// Every item, page by page; a `pager` that failed validation yields its error once.
    pub(crate) fn stream_or_error(
        pager: Result<Pager<T>>,
    ) -> impl Stream<Item = Result<T>> + Send + 'static {
        match pager {
            Err(e) => stream::once(async move { Err(e) }).left_stream(),
            Ok(pager) => {
                let per_page = pager.per_page.unwrap_or(DEFAULT_PER_PAGE);
                let fetch = pager.fetch;
                match pager.prefetch {
                    true => Prefetching::new(1, per_page, move |n| fetch(n)).left_stream(),
                    false => walk(1, per_page, move |n| fetch(n)).right_stream(),
                }
                .right_stream()
            }
        }
    }

    /// Every item, in one `Vec`.
    pub(crate) async fn collect_all(self) -> Result<Vec<T>> {
        Self::stream_or_error(Ok(self)).try_collect().await
    }
}

/// The public paging methods of a list builder that implements [`ListRequest`] and has a
/// `paging: Paging` field: `per_page`, `prefetch`, `send` (the first page), `page`, `stream`,
/// `collect_all`, and `IntoFuture` (the first page).
macro_rules! list_methods {
    ($list:ty => $item:ty) => {
        impl $list {
            /// Entries per page (server default 25). The docs give 100 as the maximum, which
            /// the server applies to larger values ("capped"), so a larger `per_page` is sent
            /// as 100: never more than documented, and never refused.
            pub fn per_page(mut self, per_page: u32) -> Self {
                self.paging.per_page = Some($crate::pagination::capped_per_page(per_page));
                self
            }

            /// Requests the next page while the stream yields the current one (default
            /// `false`). Faster when you do work per item; holds two pages instead of one.
            pub fn prefetch(mut self, prefetch: bool) -> Self {
                self.paging.prefetch = prefetch;
                self
            }

            /// The first page with its metadata (what awaiting the builder gives).
            pub async fn send(self) -> crate::Result<crate::Page<$item>> {
                self.page(1).await
            }

            /// One page (1-based) with its metadata.
            pub async fn page(self, page: u32) -> crate::Result<crate::Page<$item>> {
                crate::pagination::Pager::of(self)?.page(page).await
            }

            /// Every entry, fetched page by page as the stream is polled.
            pub fn stream(
                self,
            ) -> impl futures::Stream<Item = crate::Result<$item>> + Send + 'static {
                crate::pagination::Pager::stream_or_error(crate::pagination::Pager::of(self))
            }

            /// Every entry, in one `Vec`.
            pub async fn collect_all(self) -> crate::Result<Vec<$item>> {
                crate::pagination::Pager::of(self)?.collect_all().await
            }
        }

        crate::macros::awaitable!($list: send => crate::Page<$item>);
    };
}
pub(crate) use list_methods;

/// One page of a list, with its pagination metadata.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page, in the server's order.
    pub items: Vec<T>,
    /// Where this page stands in the whole list.
    pub meta: PageMeta,
}

/// Pagination metadata of a [`Page`]. Fields the server left out are `None`.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PageMeta {
    /// The page number (1-based).
    pub current_page: Option<u64>,
    /// How many pages the list has.
    pub total_pages: Option<u64>,
    /// How many items the list has.
    pub total_count: Option<u64>,
    /// Items per page, after the server's cap of 100.
    pub per_page: Option<u64>,
}

impl<W, T: FromWire<W>> FromWire<(Vec<W>, Option<types::PaginationMeta>)> for Page<T> {
    fn from_wire(
        (items, meta): (Vec<W>, Option<types::PaginationMeta>),
    ) -> std::result::Result<Self, String> {
        let meta = meta.unwrap_or_default();
        let count =
            |v: Option<Lenient<i64>>| crate::lenient::read(v).and_then(|n| u64::try_from(n).ok());
        Ok(Page {
            items: Vec::from_wire(items)?,
            meta: PageMeta {
                current_page: count(meta.current_page),
                total_pages: count(meta.total_pages),
                total_count: count(meta.total_count),
                per_page: count(meta.per_page),
            },
        })
    }
}

/// Whether the walk is over after `page` (page number `number`, asked with `per_page`).
fn is_last<T>(page: &Page<T>, number: u32, per_page: u32) -> bool {
    if page.items.is_empty() {
        return true;
    }
    match page.meta.total_pages {
        Some(total) => u64::from(number) >= total,
        // Without a page count, a short page is the last one (the server caps `per_page`
        // and says so in `meta.per_page`).
        None => {
            let size = page.meta.per_page.unwrap_or(u64::from(per_page));
            (page.items.len() as u64) < size
        }
    }
}

/// Walks pages `first, first + 1, ...` through `fetch`, yielding their items one by one.
pub(crate) fn walk<T, F, Fut>(
    first: u32,
    per_page: u32,
    fetch: F,
) -> impl Stream<Item = Result<T>> + Send
where
    T: Send,
    F: FnMut(u32) -> Fut + Send,
    Fut: Future<Output = Result<Page<T>>> + Send,
{
    stream::try_unfold((Some(first), fetch), move |(next, mut fetch)| async move {
        let Some(number) = next else {
            return Ok(None);
        };
        let page = fetch(number).await?;
        let next = match is_last(&page, number, per_page) {
            true => None,
            false => number.checked_add(1),
        };
        Ok(Some((page.items, (next, fetch))))
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
}

/// The walk of [`walk`], with the next page requested as soon as the current one arrives,
/// so it downloads while the caller works through the current items. Holds at most two
/// pages: the one being yielded and the one that arrived early.
pub(crate) struct Prefetching<T, F, Fut> {
    fetch: F,
    per_page: u32,
    buffer: std::vec::IntoIter<T>,
    pending: Option<(u32, Pin<Box<Fut>>)>,
    arrived: Option<(u32, Result<Page<T>>)>,
}

impl<T, F, Fut> Prefetching<T, F, Fut>
where
    F: FnMut(u32) -> Fut,
{
    pub(crate) fn new(first: u32, per_page: u32, mut fetch: F) -> Self {
        let pending = Some((first, Box::pin(fetch(first))));
        Prefetching {
            fetch,
            per_page,
            buffer: Vec::new().into_iter(),
            pending,
            arrived: None,
        }
    }
}

// Nothing of `T` is ever pinned (items move in and out of a `Vec`), and the request future
// is boxed, so the stream can move freely whenever its closure can.
impl<T, F: Unpin, Fut> Unpin for Prefetching<T, F, Fut> {}

impl<T, F, Fut> Stream for Prefetching<T, F, Fut>
where
    F: FnMut(u32) -> Fut + Unpin,
    Fut: Future<Output = Result<Page<T>>>,
{
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            // Drive the request in flight, whatever the caller is doing with the items.
            if this.arrived.is_none()
                && let Some((number, request)) = &mut this.pending
                && let Poll::Ready(page) = request.as_mut().poll(cx)
            {
                this.arrived = Some((*number, page));
                this.pending = None;
            }
            if let Some(item) = this.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match this.arrived.take() {
                Some((number, Ok(page))) => {
                    if !is_last(&page, number, this.per_page)
                        && let Some(next) = number.checked_add(1)
                    {
                        this.pending = Some((next, Box::pin((this.fetch)(next))));
                    }
                    this.buffer = page.items.into_iter();
                }
                Some((_, Err(error))) => return Poll::Ready(Some(Err(error))),
                None if this.pending.is_none() => return Poll::Ready(None),
                None => return Poll::Pending,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(items: Vec<u32>, total_pages: Option<u64>) -> Page<u32> {
        Page {
            items,
            meta: PageMeta {
                total_pages,
                ..PageMeta::default()
            },
        }
    }

    #[test]
    fn the_walk_follows_total_pages_and_stops_at_an_empty_page() {
        let fetched = std::sync::Mutex::new(Vec::new());
        let items: Vec<u32> = futures::executor::block_on(
            walk(1, 2, |n| {
                fetched.lock().unwrap().push(n);
                async move {
                    Ok(match n {
                        1 => page(vec![1, 2], Some(2)),
                        // The total grows during the walk.
                        2 => page(vec![3, 4], Some(3)),
                        _ => page(vec![], Some(3)),
                    })
                }
            })
            .map(|r| r.unwrap())
            .collect(),
        );
        assert_eq!(items, vec![1, 2, 3, 4]);
        assert_eq!(*fetched.lock().unwrap(), vec![1, 2, 3]);
    }

    #[test]
    fn prefetching_yields_the_same_items_and_stops_after_an_error() {
        let pages = |n: u32| async move {
            match n {
                1 => Ok(page(vec![1, 2], Some(3))),
                2 => Ok(page(vec![3], Some(3))),
                _ => Err(crate::Error::validation("page", "boom")),
            }
        };
        let results: Vec<std::result::Result<u32, String>> = futures::executor::block_on(
            Prefetching::new(1, 2, pages)
                .map(|r| r.map_err(|e| e.to_string()))
                .collect(),
        );
        assert_eq!(
            results,
            vec![Ok(1), Ok(2), Ok(3), Err("invalid `page`: boom".into())]
        );
    }
}
