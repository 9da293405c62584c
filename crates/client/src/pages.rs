//! A list read page by page and handed out one item at a time: [`Pages`].

use std::{
    fmt,
    future::Future,
    pin::Pin,
    task::{Context, Poll, ready},
};

use futures_core::{FusedStream, Stream};

use crate::Error;

/// One page, as far as paging cares: its items, and how many the server says there are in all.
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) total: u64,
}

/// A page being asked for.
type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send>>;

/// Asks for the page at `offset` with at most `count` items.
type Fetch<T> = Box<dyn Fn(u64, u64) -> PageFuture<T> + Send>;

/// Every item of a paged list, such as a group's members, as a
/// [`Stream`](futures_core::Stream) of `Result<T, Error>`; made by
/// [`Client::groups_members_stream`](crate::Client::groups_members_stream),
/// [`Client::groups_list_stream`](crate::Client::groups_list_stream) and
/// [`Client::groups_list_all_stream`](crate::Client::groups_list_all_stream).
///
/// It sends nothing until it is polled. Then it asks for one page at a time, with `offset` and
/// `count` ([`page_size`](Self::page_size), 100 unless set), and hands out the page's items
/// one by one before it asks for the next. Each page is one call, with the client's retries
/// ([`RetryPolicy`](crate::RetryPolicy)).
///
/// It ends:
///
/// * when the pages so far held as many items as the last page's `total`;
/// * when a page comes back empty, even if `total` says there are more, so that a server
///   whose `total` is too high does not keep it going;
/// * after the first error, which it yields as its last item. The items before it were
///   yielded already; to start over, ask the client for a new stream.
///
/// Each page's offset is the number of items received so far, so a server that sends fewer
/// items than asked for (one capping pages lower than 100) is still read to the end.
///
/// # When the list changes meanwhile
///
/// Offset paging reads a list that others may be changing. Each page is read when it is asked
/// for, so when an item before the current offset is removed (a member leaves, a group is
/// deleted), the items after it move up and one of them is **skipped**; when one is added
/// before the offset (members come in username order and groups in name order, so a newcomer
/// may sort there), an item is **yielded twice**. Each page's `total` replaces the last one's.
/// A stream gives an exact snapshot only while nobody changes the list. When that matters,
/// collect by id (a set or map drops repeats) and compare with [`total`](Self::total), or page
/// again.
///
/// ```no_run
/// # async fn run(client: rocketchat_client::Client) -> Result<(), rocketchat_client::Error> {
/// use futures_util::TryStreamExt;
/// use rocketchat_client::RoomSelector;
///
/// let mut members = client.groups_members_stream(RoomSelector::name("team"));
/// while let Some(member) = members.try_next().await? {
///     println!("{}", member.username.unwrap_or_default());
/// }
/// # Ok(()) }
/// ```
///
/// `Pages` is `Send` and `Unpin`, so it can be kept in a struct, moved to a task and polled
/// with `StreamExt::next` without pinning it first.
#[must_use = "a stream sends nothing until it is polled"]
pub struct Pages<T> {
    /// The endpoint's name, for `Debug`.
    endpoint: &'static str,
    fetch: Fetch<T>,
    page_size: u64,
    /// Where the next page starts: how many items the pages so far held.
    offset: u64,
    /// The last page's `total`.
    total: Option<u64>,
    /// The items of the last page not yet handed out.
    items: std::vec::IntoIter<T>,
    /// The page being asked for.
    pending: Option<PageFuture<T>>,
    /// Whether no page is to be asked for any more.
    done: bool,
}

impl<T> Pages<T> {
    /// A stream over the pages `fetch(offset, count)` answers, `page_size` items each.
    pub(crate) fn new<F, Fut>(endpoint: &'static str, page_size: u64, fetch: F) -> Self
    where
        F: Fn(u64, u64) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
    {
        Self {
            endpoint,
            fetch: Box::new(move |offset, count| Box::pin(fetch(offset, count))),
            page_size: page_size.max(1),
            offset: 0,
            total: None,
            items: Vec::new().into_iter(),
            pending: None,
            done: false,
        }
    }

    /// How many items to ask for in one call: 100 unless set, which is the most Rocket.Chat
    /// sends by default. A size of 0 is taken as 1 (Rocket.Chat would read `count=0` as "all
    /// at once"). The server may send fewer than asked for; the next page then starts after
    /// the items that came.
    ///
    /// Applies to the pages asked for from then on.
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// How many items there are in all, as the last page received said; `None` until the
    /// first page has come. For a progress bar: the list may change while it is paged (see
    /// [above](Self#when-the-list-changes-meanwhile)).
    pub fn total(&self) -> Option<u64> {
        self.total
    }
}

// Nothing is pinned in place: the page being asked for is boxed.
impl<T> Unpin for Pages<T> {}

impl<T> Stream for Pages<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.items.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            let (offset, count) = (this.offset, this.page_size);
            let pending = this
                .pending
                .get_or_insert_with(|| (this.fetch)(offset, count));
            let result = ready!(pending.as_mut().poll(cx));
            this.pending = None;
            match result {
                Ok(page) => {
                    let received = page.items.len() as u64;
                    this.offset = this.offset.saturating_add(received);
                    this.total = Some(page.total);
                    this.done = received == 0 || this.offset >= page.total;
                    this.items = page.items.into_iter();
                }
                Err(error) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(error)));
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.items.len();
        (buffered, self.done.then_some(buffered))
    }
}

impl<T> FusedStream for Pages<T> {
    fn is_terminated(&self) -> bool {
        self.done && self.items.as_slice().is_empty()
    }
}

impl<T> fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("endpoint", &self.endpoint)
            .field("page_size", &self.page_size)
            .field("offset", &self.offset)
            .field("total", &self.total)
            .field("buffered", &self.items.len())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use futures_util::StreamExt;
    use rocketchat_protocol::ErrorBody;

    use super::*;

    /// The `(offset, count)` of each page asked for.
    type Asked = Arc<Mutex<Vec<(u64, u64)>>>;

    /// A list of `len` numbers served by a fake server that sends at most `cap` items a page
    /// and reports `total`, failing the page at offset `fail_at`; with the `(offset, count)` of
    /// each page asked for.
    fn list(len: u64, cap: u64, total: u64, fail_at: Option<u64>) -> (Pages<u64>, Asked) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&asked);
        let pages = Pages::new("test.list", 100, move |offset, count| {
            log.lock().unwrap().push((offset, count));
            let result = if fail_at == Some(offset) {
                Err(Error::Http {
                    status: 503,
                    body: ErrorBody::NotJson("down".into()),
                })
            } else {
                let end = len.min(offset + count.min(cap));
                Ok(Page {
                    items: (offset.min(end)..end).collect(),
                    total,
                })
            };
            async move { result }
        });
        (pages, asked)
    }

    async fn read(pages: &mut Pages<u64>) -> Vec<Result<u64, String>> {
        let mut items = Vec::new();
        while let Some(item) = pages.next().await {
            items.push(item.map_err(|error| error.to_string()));
        }
        items
    }

    #[tokio::test]
    async fn a_server_that_sends_fewer_than_asked_for_is_read_to_the_end() {
        let (pages, asked) = list(7, 3, 7, None);
        let mut pages = pages.page_size(5);

        let items = read(&mut pages).await;

        assert_eq!(items, (0..7).map(Ok).collect::<Vec<_>>());
        assert_eq!(*asked.lock().unwrap(), [(0, 5), (3, 5), (6, 5)]);
        assert_eq!(pages.total(), Some(7));
    }

    #[tokio::test]
    async fn a_total_too_low_ends_the_stream_with_the_page_that_reaches_it() {
        let (pages, asked) = list(10, 100, 4, None);
        let mut pages = pages.page_size(3);

        let items = read(&mut pages).await;

        assert_eq!(items, (0..6).map(Ok).collect::<Vec<_>>());
        assert_eq!(*asked.lock().unwrap(), [(0, 3), (3, 3)]);
    }

    #[tokio::test]
    async fn a_page_size_of_zero_asks_for_one_item() {
        let (pages, asked) = list(2, 100, 2, None);
        let mut pages = pages.page_size(0);

        assert_eq!(read(&mut pages).await, [Ok(0), Ok(1)]);
        assert_eq!(*asked.lock().unwrap(), [(0, 1), (1, 1)]);
    }

    #[tokio::test]
    async fn nothing_is_asked_for_after_an_error() {
        let (pages, asked) = list(10, 100, 10, Some(4));
        let mut pages = pages.page_size(2);

        let items = read(&mut pages).await;

        assert_eq!(
            items,
            [Ok(0), Ok(1), Ok(2), Ok(3), Err("503: down".to_owned())]
        );
        assert!(pages.is_terminated());
        assert_eq!(pages.next().await.map(|item| item.is_ok()), None);
        assert_eq!(*asked.lock().unwrap(), [(0, 2), (2, 2), (4, 2)]);
    }

    #[tokio::test]
    async fn the_size_hint_counts_the_items_of_the_page_at_hand() {
        let (pages, _) = list(5, 100, 5, None);
        let mut pages = pages.page_size(3);
        assert_eq!(pages.size_hint(), (0, None));
        assert!(!pages.is_terminated());

        pages.next().await.unwrap().unwrap();
        assert_eq!(pages.size_hint(), (2, None));
        for _ in 0..3 {
            pages.next().await.unwrap().unwrap();
        }
        // The last page is at hand: nothing more will be asked for.
        assert_eq!(pages.size_hint(), (1, Some(1)));
        pages.next().await.unwrap().unwrap();
        assert_eq!(pages.size_hint(), (0, Some(0)));
        assert!(pages.is_terminated());
    }

    #[test]
    fn pages_are_send_and_unpin_whatever_they_hold() {
        fn send_unpin<S: Stream + Send + Unpin>() {}
        send_unpin::<Pages<rocketchat_protocol::user::User>>();
        send_unpin::<Pages<std::marker::PhantomPinned>>();
    }

    #[test]
    fn debug_shows_where_the_paging_is() {
        let (pages, _) = list(0, 100, 0, None);
        assert_eq!(
            format!("{pages:?}"),
            "Pages { endpoint: \"test.list\", page_size: 100, offset: 0, total: None, \
             buffered: 0, done: false, .. }"
        );
    }
}
