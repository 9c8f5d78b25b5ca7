// The viewer sync without sockets (viewer_sync.cpp): a real ChunkStore (compaction on) makes
// the events, a StoreMirror turns them into changes, and each ViewerSync says exactly what its
// viewer is sent, message by message. Merges the store does not make (not appends) are
// hand-made events.
#include "server/viewer_sync_internal.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "server/test_chunks.hpp"

namespace reel::server::internal {
namespace {

using test_util::append_events;
using test_util::deletion;
using test_util::replace_events;
using test_util::scalar_chunk;
using ::testing::UnorderedElementsAre;

class ViewerSyncTest : public ::testing::Test {
 protected:
  ViewerSyncTest() {
    subscription_ = store_.subscribe([this](std::span<const ChunkStoreEvent> events) {
      events_.insert(events_.end(), events.begin(), events.end());
    });
  }
  ~ViewerSyncTest() override { store_.unsubscribe(subscription_); }

  // A chunk of `n` scalar rows, called `name` in what drain() reports.
  ChunkPtr chunk(const std::string& name, const std::string& entity, TimeInt t0, int n) {
    ChunkPtr c = scalar_chunk(entity, t0, n);
    named(name, c);
    return c;
  }
  ChunkPtr named(const std::string& name, ChunkPtr c) {
    names_[c->id()] = {name, c};
    return c;
  }
  // Inserts into the store; returns the chunk its addition event holds (the merged one when
  // compaction merged it).
  ChunkPtr insert(const ChunkPtr& c) {
    auto events = store_.insert(c);
    EXPECT_TRUE(events.ok()) << events.status().to_string();
    ChunkPtr added;
    for (const auto& e : *events) {
      if (e.kind == ChunkStoreEventKind::kAddition) added = e.chunk;
    }
    return added;
  }
  void gc() { store_.gc({0, 0}); }
  // The store's events since the last call, through the mirror, to every viewer given.
  std::vector<StoreChange> deliver(std::initializer_list<ViewerSync*> viewers) {
    std::vector<ChunkStoreEvent> events = std::move(events_);
    events_.clear();
    return deliver(events, viewers);
  }
  // Hand-made events (the store does not see them).
  std::vector<StoreChange> deliver(const std::vector<ChunkStoreEvent>& events,
                                   std::initializer_list<ViewerSync*> viewers) {
    std::vector<StoreChange> changes = mirror_.apply(events);
    for (ViewerSync* v : viewers) {
      for (const auto& change : changes) EXPECT_TRUE(v->apply(change));
    }
    return changes;
  }
  // Everything `sync` owes its viewer now, one string per message: "backlog NAME" and
  // "chunk NAME" for frames (a frame whose rows differ from the chunk so named says so),
  // "caught_up", "removed NAME NAME..." (names sorted).
  std::vector<std::string> drain(ViewerSync& sync) {
    std::vector<std::string> out;
    while (auto owed = sync.next()) {
      if (auto* c = std::get_if<SendChunk>(&*owed)) {
        std::string text = (c->backlog ? "backlog " : "chunk ") + name_of(c->chunk->id());
        auto it = names_.find(c->chunk->id());
        if (it != names_.end() && !c->chunk->content_equals(*it->second.second)) {
          text += " (other rows)";
        }
        out.push_back(text);
      } else if (std::holds_alternative<SendCaughtUp>(*owed)) {
        out.push_back("caught_up");
      } else {
        std::vector<std::string> ids;
        for (const auto& id : std::get<SendRemoval>(*owed).ids) ids.push_back(name_of(id));
        std::sort(ids.begin(), ids.end());
        std::string text = "removed";
        for (const auto& id : ids) text += " " + id;
        out.push_back(text);
      }
    }
    return out;
  }
  std::string name_of(const ChunkId& id) const {
    auto it = names_.find(id);
    return it == names_.end() ? "unnamed:" + id.to_string() : it->second.first;
  }

  ChunkStore store_{ChunkStoreConfig()};  // compaction on
  StoreMirror mirror_{{}};                // the store is empty when it subscribes
  std::vector<ChunkStoreEvent> events_;
  uint64_t subscription_ = 0;
  std::map<ChunkId, std::pair<std::string, ChunkPtr>> names_;
};

using Strings = std::vector<std::string>;

TEST_F(ViewerSyncTest, PlainAdditionIsSentWholeAfterCaughtUp) {
  ViewerSync viewer(16);
  viewer.attach(mirror_.backlog());
  EXPECT_EQ(drain(viewer), Strings{"caught_up"});
  ChunkPtr a = chunk("a", "/e", 0, 3);
  EXPECT_EQ(insert(a)->id(), a->id());
  auto changes = deliver({&viewer});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ChunkAdded>(changes[0]));
  EXPECT_EQ(drain(viewer), Strings{"chunk a"});
  EXPECT_EQ(drain(viewer), Strings{});
}

TEST_F(ViewerSyncTest, BacklogTakenForHttpCountsAsSent) {
  ChunkPtr a = chunk("a", "/e", 0, 3), x = chunk("x", "/x", 0, 2);
  insert(a);
  insert(x);
  deliver({});
  ViewerSync viewer(16);
  viewer.attach(mirror_.backlog());
  std::vector<ChunkPtr> taken = viewer.take_backlog();
  std::vector<std::string> names;
  for (const auto& c : taken) names.push_back(name_of(c->id()));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (Strings{"a", "x"}));
  // Nothing of the backlog travels on the WebSocket any more: caught_up comes next.
  EXPECT_EQ(drain(viewer), Strings{"caught_up"});
  EXPECT_TRUE(viewer.take_backlog().empty());
  // The viewer holds a: compaction sends only the new rows, removal names what it holds.
  ChunkPtr b = chunk("b", "/e", 3, 2);
  insert(b);
  deliver({&viewer});
  EXPECT_EQ(drain(viewer), Strings{"chunk b"});
  gc();
  deliver({&viewer});
  EXPECT_EQ(drain(viewer), Strings{"removed a b x"});
}

TEST_F(ViewerSyncTest, AppendingCompactionSendsOnlyTheNewRowsUnderTheIncomingId) {
  ViewerSync viewer(16);
  viewer.attach(mirror_.backlog());
  ChunkPtr a = chunk("a", "/e", 0, 3), b = chunk("b", "/e", 3, 2), c = chunk("c", "/e", 5, 4);
  insert(a);
  deliver({&viewer});
  EXPECT_EQ(drain(viewer), (Strings{"caught_up", "chunk a"}));

  // The store merges b into a and says it appended (rows [0, 3) are a's).
  ChunkPtr ab = named("ab", insert(b));
  ASSERT_EQ(store_.num_chunks(), 1u);
  ASSERT_EQ(events_.size(), 2u);
  ASSERT_TRUE(events_[1].appended.has_value());
  auto changes = deliver({&viewer});
  ASSERT_EQ(changes.size(), 1u);
  const auto* append = std::get_if<ChunkAppended>(&changes[0]);
  ASSERT_TRUE(append);
  EXPECT_EQ(append->replaced, a->id());
  EXPECT_EQ(append->merged, ab);
  EXPECT_EQ(append->incoming, b->id());
  EXPECT_EQ(append->offset, 3);
  // b's rows alone, under b's id; nothing removed.
  EXPECT_EQ(drain(viewer), Strings{"chunk b"});

  named("abc", insert(c));
  deliver({&viewer});
  EXPECT_EQ(drain(viewer), Strings{"chunk c"});

  // Garbage collection names the pieces the viewer holds, never the store's merged id.
  gc();
  deliver({&viewer});
  EXPECT_EQ(drain(viewer), Strings{"removed a b c"});
}

TEST_F(ViewerSyncTest, MergeThatIsNotAnAppendIsSentWholeBeforeTheRemovalOfWhatItReplaces) {
  ViewerSync viewer(16);
  viewer.attach(mirror_.backlog());
  ChunkPtr a = chunk("a", "/e", 0, 3), b = chunk("b", "/e", 3, 2);
  insert(a);
  deliver({&viewer});
  EXPECT_EQ(drain(viewer), (Strings{"caught_up", "chunk a"}));
  ChunkPtr ab = named("ab", insert(b));
  deliver({&viewer});
  EXPECT_EQ(drain(viewer), Strings{"chunk b"});

  // A merge without `appended`, even one whose rows start with the replaced chunk's (the
  // server no longer guesses appends from row ids): the new chunk whole, then the removal.
  ChunkPtr z = chunk("z", "/e", 5, 1);
  std::vector<ChunkPtr> parts = {ab, z};
  ChunkPtr abz = named("abz", Chunk::concatenate(parts).value());
  auto changes = deliver(replace_events(ab, abz, {ab->id(), z->id()}), {&viewer});
  ASSERT_EQ(changes.size(), 1u);
  const auto* replaced = std::get_if<ChunkReplaced>(&changes[0]);
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->replaced, std::vector<ChunkId>{ab->id()});
  EXPECT_EQ(drain(viewer), (Strings{"chunk abz", "removed a b"}));

  // Reordered rows: the same.
  std::vector<int64_t> reversed = {5, 4, 3, 2, 1, 0};
  ChunkPtr shuffled = named("shuffled", abz->take(reversed).value()->with_id(ChunkId::create()));
  deliver(replace_events(abz, shuffled, {abz->id()}), {&viewer});
  EXPECT_EQ(drain(viewer), (Strings{"chunk shuffled", "removed abz"}));

  // A replacement removed before it was sent: only the removal of what the viewer holds.
  ChunkPtr again = named("again", shuffled->with_id(ChunkId::create()));
  std::vector<ChunkStoreEvent> events = replace_events(shuffled, again, {shuffled->id()});
  events.push_back(deletion(again));
  deliver(events, {&viewer});
  EXPECT_EQ(drain(viewer), Strings{"removed shuffled"});
}

// The Rerun viewer behind the proxy cannot drop chunks: a merge of rows it holds would show
// them twice, so it is not sent; appends to that merge still send their new rows.
TEST_F(ViewerSyncTest, ViewerThatCannotRemoveIsNotSentAMergeOfRowsItHolds) {
  ViewerSync reel_viewer(16), rerun_viewer(16, /*can_remove=*/false);
  reel_viewer.attach(mirror_.backlog());
  rerun_viewer.attach(mirror_.backlog());
  ChunkPtr a = chunk("a", "/e", 0, 3), b = chunk("b", "/e", 3, 2);
  insert(a);
  deliver({&reel_viewer, &rerun_viewer});
  EXPECT_EQ(drain(reel_viewer), (Strings{"caught_up", "chunk a"}));
  EXPECT_EQ(drain(rerun_viewer), (Strings{"caught_up", "chunk a"}));
  ChunkPtr ab = named("ab", insert(b));
  deliver({&reel_viewer, &rerun_viewer});
  EXPECT_EQ(drain(reel_viewer), Strings{"chunk b"});
  EXPECT_EQ(drain(rerun_viewer), Strings{"chunk b"});

  // A re-layout of rows both viewers hold (reordered, no new row).
  std::vector<int64_t> reversed = {4, 3, 2, 1, 0};
  ChunkPtr ba = named("ba", ab->take(reversed).value()->with_id(ChunkId::create()));
  deliver(replace_events(ab, ba, {ab->id()}), {&reel_viewer, &rerun_viewer});
  EXPECT_EQ(drain(reel_viewer), (Strings{"chunk ba", "removed a b"}));
  EXPECT_EQ(drain(rerun_viewer), Strings{});

  // An append to that merge: the new rows alone, to both.
  ChunkPtr c = chunk("c", "/e", 5, 2);
  std::vector<ChunkPtr> bac_parts = {ba, c};
  ChunkPtr bac = named("bac", Chunk::concatenate(bac_parts).value());
  deliver(append_events(ba, bac, c), {&reel_viewer, &rerun_viewer});
  EXPECT_EQ(drain(reel_viewer), Strings{"chunk c"});
  EXPECT_EQ(drain(rerun_viewer), Strings{"chunk c"});

  // A merge that brings rows of a chunk never in the store is sent whole: those rows must
  // arrive (the Rerun viewer then holds the others twice; docs/viewer-protocol.md).
  ChunkPtr z = chunk("z", "/e", 7, 1);
  std::vector<ChunkPtr> parts = {bac, z};
  ChunkPtr bacz = named("bacz", Chunk::concatenate(parts).value());
  deliver(replace_events(bac, bacz, {bac->id(), z->id()}), {&reel_viewer, &rerun_viewer});
  EXPECT_EQ(drain(reel_viewer), (Strings{"chunk bacz", "removed ba c"}));
  EXPECT_EQ(drain(rerun_viewer), Strings{"chunk bacz"});
}

TEST_F(ViewerSyncTest, GarbageCollectionNamesOnlyChunksTheViewerWasSentInOneMessage) {
  ViewerSync viewer(16);
  viewer.attach(mirror_.backlog());
  ChunkPtr a = chunk("a", "/e", 0, 3), x = chunk("x", "/x", 0, 2), y = chunk("y", "/y", 0, 2);
  insert(a);
  insert(x);
  deliver({&viewer});
  EXPECT_EQ(drain(viewer), (Strings{"caught_up", "chunk a", "chunk x"}));
  // y is queued, not sent, when it is collected: the viewer never hears of it.
  insert(y);
  gc();
  ASSERT_EQ(store_.num_chunks(), 0u);
  auto changes = deliver({&viewer});
  EXPECT_EQ(changes.size(), 4u);  // y added; a, x, y removed
  EXPECT_EQ(drain(viewer), Strings{"removed a x"});
}

TEST_F(ViewerSyncTest, ViewerAttachingMidStreamGetsTheMirrorAsBacklogThenLiveChanges) {
  ViewerSync early(16);
  early.attach(mirror_.backlog());
  ChunkPtr a = chunk("a", "/e", 0, 3), b = chunk("b", "/e", 3, 2), c = chunk("c", "/e", 5, 4);
  ChunkPtr x = chunk("x", "/x", 0, 2);
  insert(a);
  deliver({&early});
  EXPECT_EQ(drain(early), (Strings{"caught_up", "chunk a"}));
  named("ab", insert(b));
  insert(x);
  deliver({&early});
  EXPECT_EQ(drain(early), (Strings{"chunk b", "chunk x"}));

  // The late viewer's backlog is the store as the mirror holds it: the merged chunk whole.
  ViewerSync late(16);
  late.attach(mirror_.backlog());
  Strings sent = drain(late);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_THAT(Strings(sent.begin(), sent.begin() + 2),
              UnorderedElementsAre("backlog ab", "backlog x"));
  EXPECT_EQ(sent[2], "caught_up");

  // Later appends go to both as the new rows alone; each removal names what that viewer holds.
  named("abc", insert(c));
  deliver({&early, &late});
  EXPECT_EQ(drain(early), Strings{"chunk c"});
  EXPECT_EQ(drain(late), Strings{"chunk c"});
  gc();
  deliver({&early, &late});
  EXPECT_EQ(drain(early), Strings{"removed a b c x"});
  EXPECT_EQ(drain(late), Strings{"removed ab c x"});
}

TEST_F(ViewerSyncTest, BacklogEntrySupersededBeforeItWasSentGoesOutMerged) {
  ChunkPtr a = chunk("a", "/e", 0, 3), b = chunk("b", "/e", 3, 2), x = chunk("x", "/x", 0, 2);
  insert(a);
  insert(x);
  deliver({});
  ViewerSync viewer(16);
  viewer.attach(mirror_.backlog());
  // Before the viewer read its backlog, b is appended to a: a is never sent, a + b is, whole,
  // and nothing is removed.
  named("ab", insert(b));
  deliver({&viewer});
  EXPECT_EQ(drain(viewer), (Strings{"backlog x", "caught_up", "chunk ab"}));
}

TEST_F(ViewerSyncTest, SlowViewerSkipsQueuedItemsThatLaterEventsSuperseded) {
  ViewerSync viewer(16);
  viewer.attach(mirror_.backlog());
  EXPECT_EQ(drain(viewer), Strings{"caught_up"});
  ChunkPtr a = chunk("a", "/e", 0, 3), b = chunk("b", "/e", 3, 2), c = chunk("c", "/e", 5, 4);
  ChunkPtr d = chunk("d", "/e", 9, 2), e = chunk("e", "/e", 11, 2), x = chunk("x", "/x", 0, 1);

  // Three chunks merge into one while the viewer reads nothing: it is sent the last merged
  // chunk alone, whole, and no removal (it never held the others).
  insert(a);
  deliver({&viewer});
  insert(b);
  deliver({&viewer});
  ChunkPtr abc = named("abc", insert(c));
  deliver({&viewer});
  EXPECT_EQ(viewer.queued(), 3u);
  EXPECT_EQ(drain(viewer), Strings{"chunk abc"});

  // Two appends queued as pieces; the viewer reads one of them (its rows come from the latest
  // merged chunk, where they kept their place).
  insert(d);
  deliver({&viewer});
  insert(e);
  deliver({&viewer});
  auto first = viewer.next();
  ASSERT_TRUE(first && std::holds_alternative<SendChunk>(*first));
  const ChunkPtr& piece = std::get<SendChunk>(*first).chunk;
  EXPECT_EQ(piece->id(), d->id());
  EXPECT_TRUE(piece->content_equals(*d));
  // x is queued too; then everything is collected: the removal names what the viewer holds
  // (abc and d), never e or x, which are not sent at all.
  insert(x);
  gc();
  deliver({&viewer});
  EXPECT_EQ(drain(viewer), Strings{"removed abc d"});
}

TEST_F(ViewerSyncTest, QueueOverflowIsReportedAndConsecutiveRemovalsShareAnEntry) {
  ViewerSync viewer(3);
  viewer.attach({});
  ChunkPtr a = chunk("a", "/a", 0, 1), b = chunk("b", "/b", 0, 1), c = chunk("c", "/c", 0, 1);
  ChunkPtr d = chunk("d", "/d", 0, 1), e = chunk("e", "/e", 0, 1);
  EXPECT_TRUE(viewer.apply(ChunkAdded{a}));
  EXPECT_TRUE(viewer.apply(ChunkAdded{b}));
  EXPECT_EQ(drain(viewer), (Strings{"caught_up", "chunk a", "chunk b"}));
  EXPECT_TRUE(viewer.apply(ChunkAdded{c}));
  EXPECT_TRUE(viewer.apply(ChunkRemoved{a->id()}));
  EXPECT_TRUE(viewer.apply(ChunkRemoved{b->id()}));  // joins the removal of a
  EXPECT_EQ(viewer.queued(), 2u);
  EXPECT_TRUE(viewer.apply(ChunkAdded{d}));
  EXPECT_FALSE(viewer.apply(ChunkAdded{e}));  // 3 queued: too slow
  EXPECT_EQ(viewer.queued(), 3u);
  EXPECT_EQ(drain(viewer), (Strings{"chunk c", "removed a b", "chunk d"}));
  viewer.clear();
  EXPECT_EQ(drain(viewer), Strings{});
}

TEST_F(ViewerSyncTest, ViewerOfALaterSnapshotIsNotSentWhatTheSnapshotAlreadyShows) {
  ChunkPtr a = chunk("a", "/e", 0, 3), b = chunk("b", "/e", 3, 2);
  insert(a);
  ChunkPtr ab = named("ab", insert(b));
  // A mirror taken after these events, which were still on their way to the io thread
  // (the server subscribes before it takes the snapshot, so none falls in between).
  StoreMirror late(store_.chunks());
  ViewerSync viewer(16);
  viewer.attach(late.backlog());
  for (const auto& change : late.apply(events_)) EXPECT_TRUE(viewer.apply(change));
  EXPECT_EQ(late.size(), 1u);
  EXPECT_EQ(drain(viewer), (Strings{"backlog ab", "caught_up"}));
  // The mirror that saw none of it gets every change.
  EXPECT_EQ(mirror_.apply(events_).size(), 2u);  // a added; b appended to a
  EXPECT_EQ(mirror_.size(), 1u);
}

}  // namespace
}  // namespace reel::server::internal
