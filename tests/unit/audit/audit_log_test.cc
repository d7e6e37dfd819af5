#include "audit/audit_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "audit/checkpointer.h"
#include "audit/log_entry.h"
#include "audit/merkle_tree.h"
#include "audit/stored_leaf_hash_source.h"
#include "audit_test_database.h"
#include "crypto/encoding.h"

namespace th::audit {
namespace {

AuditEvent login_by(const std::string& user, int number) {
  AuditEvent event;
  event.actor_user_id = user;
  event.actor_kind = "user";
  event.actor_role = "clinician";
  event.action = "login";
  event.resource_type = "session";
  event.resource_id = user + "-" + std::to_string(number);
  return event;
}

struct StoredRow {
  long long seq = 0;
  std::string id;
  std::string resource_id;
  std::string body;
  std::string leaf_hash_hex;
};

std::vector<StoredRow> stored_rows(storage::Database& database) {
  auto rows = database.run([](soci::session& session) {
    std::vector<StoredRow> found;
    soci::rowset<soci::row> rows =
        (session.prepare << "SELECT seq, id, resource_id, body, leaf_hash FROM audit_events "
                            "ORDER BY seq");
    for (const soci::row& row : rows) {
      found.push_back({row.get<long long>(0), row.get<std::string>(1), row.get<std::string>(2),
                       row.get<std::string>(3), row.get<std::string>(4)});
    }
    return found;
  });
  EXPECT_TRUE(rows.ok()) << rows.error().message();
  return rows.ok() ? *rows : std::vector<StoredRow>();
}

// The root of every stored leaf, recomputed the slow way.
std::string stored_root(storage::Database& database) {
  auto root = database.run([](soci::session& session) -> Result<std::string> {
    StoredLeafHashSource source(session);
    return subtree_root(source, 0, stored_log_size(session));
  });
  EXPECT_TRUE(root.ok()) << root.error().message();
  return root.ok() ? *root : std::string();
}

// The tree the log holds, as with_tree() shows it.
MerkleFrontier tree_of(AuditLog& log) {
  MerkleFrontier seen;
  const Status done = log.with_tree([&seen](soci::session&, const MerkleFrontier& tree) {
    seen = tree;
    return ok_status();
  });
  EXPECT_TRUE(done.ok()) << done.error().message();
  return seen;
}

// Records the events from threads of their own while the log is held, so
// that all of them queue and are committed in one transaction.
void record_in_one_batch(AuditLog& log, const std::vector<AuditEvent>& events) {
  std::atomic<std::size_t> started{0};
  std::vector<std::thread> callers;
  const Status held = log.with_tree([&](soci::session&, const MerkleFrontier&) {
    for (const AuditEvent& event : events) {
      callers.emplace_back([&log, &started, event] {
        ++started;
        EXPECT_TRUE(log.record(event).ok());
      });
    }
    while (started.load() < events.size()) {
      std::this_thread::yield();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return ok_status();
  });
  for (std::thread& caller : callers) {
    caller.join();
  }
  EXPECT_TRUE(held.ok()) << held.error().message();
}

class AuditLogTest : public ::testing::Test {
 protected:
  AuditLog make_log(AuditLogOptions options = {}) {
    return AuditLog(db_.database(), clock_, "node-a", std::move(options));
  }

  AuditTestDatabase db_;
  ManualClock clock_{kTestStart};
};

TEST_F(AuditLogTest, AppendsEventsAtConsecutivePositions) {
  AuditLog log = make_log();

  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(log.record(login_by("alice", i)).ok());
  }

  const auto rows = stored_rows(db_.database());
  ASSERT_EQ(rows.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(rows[i].seq, i);
    EXPECT_EQ(rows[i].resource_id, "alice-" + std::to_string(i));
  }
  EXPECT_EQ(log.tree_size(), 3u);
}

TEST_F(AuditLogTest, StoresThePositionedEventAndItsLeafHash) {
  AuditLog log = make_log();
  ASSERT_TRUE(log.record(login_by("alice", 0)).ok());
  ASSERT_TRUE(log.record(login_by("bob", 0)).ok());

  const auto rows = stored_rows(db_.database());

  ASSERT_EQ(rows.size(), 2u);
  const auto entry = parse_log_entry(rows[1].body);
  ASSERT_TRUE(entry.ok()) << entry.error().message();
  EXPECT_EQ(entry->seq, 1u);
  EXPECT_EQ(entry->event.actor_user_id, "bob");
  EXPECT_EQ(rows[1].leaf_hash_hex, crypto::hex_encode(leaf_hash(rows[1].body)));
}

TEST_F(AuditLogTest, FillsInIdTimeAndNode) {
  AuditLog log = make_log();

  ASSERT_TRUE(log.record(login_by("alice", 0)).ok());

  const auto entry = parse_log_entry(stored_rows(db_.database()).at(0).body);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->event.id.size(), 36u);
  EXPECT_EQ(entry->event.occurred_at, kTestStart);
  EXPECT_EQ(entry->event.node, "node-a");
}

TEST_F(AuditLogTest, IndexesEachListedPatientOnce) {
  AuditLog log = make_log();
  AuditEvent search = login_by("alice", 0);
  search.action = "search";
  search.patient_ids = {"p-2", "p-1", "p-2"};

  ASSERT_TRUE(log.record(search).ok());

  EXPECT_EQ(db_.count("audit_event_patients"), 2);
}

TEST_F(AuditLogTest, ConcurrentCallersEachCommitInTheirOwnOrder) {
  AuditLog log = make_log();
  constexpr int kThreads = 16;
  constexpr int kEach = 25;
  std::atomic<int> failures{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!log.record(login_by("user" + std::to_string(t), i)).ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }

  EXPECT_EQ(failures.load(), 0);
  const auto rows = stored_rows(db_.database());
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kThreads * kEach));
  std::map<std::string, int> next_of_user;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].seq, static_cast<long long>(i));
    const auto dash = rows[i].resource_id.find('-');
    const std::string user = rows[i].resource_id.substr(0, dash);
    EXPECT_EQ(rows[i].resource_id.substr(dash + 1), std::to_string(next_of_user[user]++));
  }
  EXPECT_EQ(log.appended(), static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_LE(log.batches(), log.appended());
  EXPECT_EQ(tree_of(log).root(), stored_root(db_.database()));
}

TEST_F(AuditLogTest, CallersQueuedBehindACommitShareOneTransaction) {
  AuditLog log = make_log();
  ASSERT_TRUE(log.record(login_by("alice", 0)).ok());
  const std::uint64_t batches_before = log.batches();
  constexpr int kCallers = 8;
  std::vector<AuditEvent> events;
  for (int i = 0; i < kCallers; ++i) {
    events.push_back(login_by("bob", i));
  }

  record_in_one_batch(log, events);

  EXPECT_EQ(log.appended(), 1u + kCallers);
  EXPECT_EQ(log.batches() - batches_before, 1u);
}

TEST_F(AuditLogTest, BatchWrittenThroughMultiRowStatementsStoresEveryRow) {
  AuditLogOptions options;
  options.rows_per_statement = 3;  // 8 events: groups of 3, 3 and 2
  AuditLog log = make_log(options);
  constexpr int kCallers = 8;
  std::vector<AuditEvent> events;
  for (int i = 0; i < kCallers; ++i) {
    events.push_back(login_by("carol", i));
    events.back().patient_ids = {"p-" + std::to_string(i), "p-shared"};
  }

  record_in_one_batch(log, events);

  EXPECT_EQ(log.batches(), 1u);
  const auto rows = stored_rows(db_.database());
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kCallers));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].seq, static_cast<long long>(i));
    EXPECT_EQ(rows[i].leaf_hash_hex, crypto::hex_encode(leaf_hash(rows[i].body)));
  }
  EXPECT_EQ(db_.count("audit_event_patients"), 2 * kCallers);
  EXPECT_EQ(tree_of(log).root(), stored_root(db_.database()));
}

TEST_F(AuditLogTest, FailedBatchFailsEveryCallerInItAndStoresNothing) {
  AuditLog log = make_log();
  AuditEvent first = login_by("alice", 0);
  first.id = "duplicate-id";
  AuditEvent second = login_by("bob", 0);
  second.id = "duplicate-id";
  AuditEvent third = login_by("carol", 0);
  std::vector<Status> results(3);
  std::atomic<int> started{0};
  std::vector<std::thread> callers;

  const Status held = log.with_tree([&](soci::session&, const MerkleFrontier&) {
    int index = 0;
    for (AuditEvent* event : {&first, &second, &third}) {
      callers.emplace_back([&, event, index] {
        ++started;
        results[index] = log.record(*event);
      });
      ++index;
    }
    while (started.load() < 3) {
      std::this_thread::yield();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return ok_status();
  });
  for (std::thread& caller : callers) {
    caller.join();
  }

  ASSERT_TRUE(held.ok());
  for (const Status& result : results) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code(), ErrorCode::kConflict);
  }
  EXPECT_EQ(db_.count("audit_events"), 0);
  ASSERT_TRUE(log.record(login_by("dave", 0)).ok());
  EXPECT_EQ(stored_rows(db_.database()).at(0).seq, 0);
}

TEST_F(AuditLogTest, ContinuesTheStoredLogAfterARestart) {
  {
    AuditLog before = make_log();
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(before.record(login_by("alice", i)).ok());
    }
  }
  AuditLog after = make_log();

  ASSERT_TRUE(after.record(login_by("bob", 0)).ok());

  const auto rows = stored_rows(db_.database());
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[5].resource_id, "bob-0");
  EXPECT_EQ(tree_of(after).root(), stored_root(db_.database()));
}

TEST_F(AuditLogTest, CatchesUpWithEventsAnotherDaemonAppended) {
  AuditLog first = make_log();
  AuditLog second = make_log();

  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(first.record(login_by("alice", i)).ok());
    ASSERT_TRUE(second.record(login_by("bob", i)).ok());
  }

  const auto rows = stored_rows(db_.database());
  ASSERT_EQ(rows.size(), 8u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].seq, static_cast<long long>(i));
  }
  const std::string root = stored_root(db_.database());
  EXPECT_EQ(tree_of(first).root(), root);
  EXPECT_EQ(tree_of(second).root(), root);
}

// Two daemons appending at once race for the same positions: on PostgreSQL
// one of them collides on the primary key and catches up under the lock.
TEST_F(AuditLogTest, TwoDaemonsAppendingAtOnceNeverShareAPosition) {
  AuditLog first = make_log();
  AuditLog second = make_log();
  constexpr int kThreadsEach = 4;
  constexpr int kEventsEach = 25;
  std::vector<std::thread> writers;
  for (int thread = 0; thread < 2 * kThreadsEach; ++thread) {
    AuditLog& log = thread % 2 == 0 ? first : second;
    writers.emplace_back([&log, thread] {
      for (int i = 0; i < kEventsEach; ++i) {
        const Status recorded = log.record(login_by("writer" + std::to_string(thread), i));
        EXPECT_TRUE(recorded.ok()) << recorded.error().message();
      }
    });
  }
  for (std::thread& writer : writers) {
    writer.join();
  }

  const auto rows = stored_rows(db_.database());
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(2 * kThreadsEach * kEventsEach));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].seq, static_cast<long long>(i));
  }
  const std::string root = stored_root(db_.database());
  EXPECT_EQ(tree_of(first).root(), root);
  EXPECT_EQ(tree_of(second).root(), root);
  EXPECT_EQ(first.appended() + second.appended(), rows.size());
}

// Text with the characters an array literal quotes (PostgreSQL binds a
// batch's columns as arrays) is stored exactly, on the first append of a
// daemon and on the later ones alike.
TEST_F(AuditLogTest, StoresTextWithQuotesBracesAndBackslashesExactly) {
  AuditLog log = make_log();
  const std::string awkward = "a,\"b\"\\c{d},NULL, é \t";
  for (int i = 0; i < 3; ++i) {
    AuditEvent event = login_by("alice", i);
    event.resource_id = awkward + std::to_string(i);
    event.actor_role = i == 1 ? "" : "NULL";
    event.patient_ids = {awkward, "{}", ""};
    ASSERT_TRUE(log.record(event).ok());
  }

  const auto rows = stored_rows(db_.database());
  ASSERT_EQ(rows.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(rows[i].resource_id, awkward + std::to_string(i));
  }
  auto patients = db_.database().run([](soci::session& session) {
    std::vector<std::string> found;
    soci::rowset<std::string> listed =
        (session.prepare << "SELECT patient_id FROM audit_event_patients WHERE seq = 2");
    for (const std::string& id : listed) {
      found.push_back(id);
    }
    std::sort(found.begin(), found.end());  // in bytes, whatever the database's collation
    return found;
  });
  ASSERT_TRUE(patients.ok()) << patients.error().message();
  std::vector<std::string> expected = {"", awkward, "{}"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(*patients, expected);
  EXPECT_EQ(tree_of(log).root(), stored_root(db_.database()));
}

TEST_F(AuditLogTest, ResumesFromTheFrontierOfASignedCheckpoint) {
  auto key = crypto::Ed25519Key::generate();
  ASSERT_TRUE(key.ok());
  AuditLogOptions options;
  options.checkpoint_public_key = key->public_key_raw();
  std::string signed_root;
  {
    AuditLog before = make_log(options);
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(before.record(login_by("alice", i)).ok());
    }
    CheckpointerOptions signer;
    signer.default_origin = "test.example/audit";
    auto checkpointer = Checkpointer::create(before, std::move(*key), clock_, signer);
    ASSERT_TRUE(checkpointer.ok());
    auto checkpoint = (*checkpointer)->checkpoint_now();
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.error().message();
    signed_root = checkpoint->root_hash_hex;
  }
  // Rewritten together with its hash: only the signed frontier still holds
  // the original.
  const std::string forged = R"({"seq":2,"x":1})";
  db_.tamper({"UPDATE audit_events SET body = '" + forged + "', leaf_hash = '" +
              crypto::hex_encode(leaf_hash(forged)) + "' WHERE seq = 2"});

  AuditLog after = make_log(options);
  const MerkleFrontier tree = tree_of(after);

  EXPECT_EQ(tree.size(), 5u);
  EXPECT_EQ(crypto::hex_encode(tree.root()), signed_root);
  EXPECT_NE(stored_root(db_.database()), tree.root());
}

TEST_F(AuditLogTest, RefusesToExtendALogWithAMissingPosition) {
  {
    AuditLog before = make_log();
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(before.record(login_by("alice", i)).ok());
    }
  }
  db_.tamper({"DELETE FROM audit_events WHERE seq = 1"});
  AuditLog after = make_log();

  const Status recorded = after.record(login_by("bob", 0));

  ASSERT_FALSE(recorded.ok());
  EXPECT_EQ(recorded.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(recorded.error().message().find("seq 1"), std::string::npos);
}

}  // namespace
}  // namespace th::audit
