#include "crypto/key_ring.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crypto/aes_gcm.h"
#include "crypto/atomic_file.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "scratch_directory.h"

namespace th::crypto {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t file_mode(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? (info.st_mode & 07777) : 0;
}

std::string new_kek() {
  return random_bytes(kKeyRingKeySize);
}

KeyRing ring_of(std::vector<std::string> keks) {
  return KeyRing::create(std::move(keks)).value();
}

// How records written before the labelled KEK id name their KEK.
std::string legacy_id_of(const std::string& kek) {
  return hex_encode(sha256(kek)).substr(0, 8);
}

// A record that is validly wrapped under `kek` but holds another key than
// the one `original` holds, under the same id and purpose: what a ring must
// never accept in place of a key it already uses.
WrappedDataKey impostor_of(const WrappedDataKey& original, const std::string& kek) {
  WrappedDataKey impostor = original;
  impostor.wrapped =
      aes256_gcm_seal(kek, random_bytes(kKeyRingKeySize), "dek:" + original.dek_id).value();
  return impostor;
}

// --- KEK files ---

TEST(KeyRingTest, GeneratesKekFileAsOneBase64LineWithMode0600) {
  const ScratchDirectory dir;
  const std::string path = dir.file("kek");

  const Status generated = generate_kek_file(path);

  ASSERT_TRUE(generated.ok()) << generated.error().message();
  EXPECT_EQ(file_mode(path), 0600u);
  const std::string text = read_text(path);
  ASSERT_EQ(text.size(), 45u);  // 44 base64 characters and a newline
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(base64_decode(text.substr(0, 44)).value().size(), kKeyRingKeySize);
}

TEST(KeyRingTest, LoadsTheKeyAGeneratedFileHolds) {
  const ScratchDirectory dir;
  const std::string path = dir.file("kek");
  ASSERT_TRUE(generate_kek_file(path).ok());

  const auto kek = load_kek_file(path);

  ASSERT_TRUE(kek.ok()) << kek.error().message();
  EXPECT_EQ(*kek, base64_decode(read_text(path).substr(0, 44)).value());
}

TEST(KeyRingTest, GenerateRefusesToReplaceExistingKekFile) {
  const ScratchDirectory dir;
  const std::string path = dir.file("kek");
  ASSERT_TRUE(generate_kek_file(path).ok());
  const std::string before = read_text(path);

  const Status again = generate_kek_file(path);

  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(read_text(path), before);
}

TEST(KeyRingTest, LoadKekFileRefusesFileOthersCanRead) {
  const ScratchDirectory dir;
  const std::string path = dir.file("kek");
  ASSERT_TRUE(generate_kek_file(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);

  const auto kek = load_kek_file(path);

  ASSERT_FALSE(kek.ok());
  EXPECT_EQ(kek.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(kek.error().message().find("0640"), std::string::npos);
}

TEST(KeyRingTest, LoadKekFileRejectsMissingAndMalformedFiles) {
  const ScratchDirectory dir;
  const std::string short_key = dir.file("short");
  ASSERT_TRUE(
      write_file_atomically(short_key, base64_encode(std::string(16, 'k')) + "\n", 0600).ok());
  const std::string two_lines = dir.file("two-lines");
  ASSERT_TRUE(write_file_atomically(two_lines, base64_encode(new_kek()) + "\n\n", 0600).ok());

  const auto missing = load_kek_file(dir.file("absent"));
  const auto too_short = load_kek_file(short_key);
  const auto extra_line = load_kek_file(two_lines);

  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  ASSERT_FALSE(too_short.ok());
  EXPECT_EQ(too_short.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_FALSE(extra_line.ok());
  EXPECT_EQ(extra_line.error().code(), ErrorCode::kInvalidArgument);
}

TEST(KeyRingTest, LoadKekFileAcceptsLineWithoutNewline) {
  const ScratchDirectory dir;
  const std::string path = dir.file("kek");
  const std::string kek = new_kek();
  ASSERT_TRUE(write_file_atomically(path, base64_encode(kek), 0600).ok());

  EXPECT_EQ(load_kek_file(path).value(), kek);
}

// --- creating a ring ---

TEST(KeyRingTest, KekIdIsSixteenHexDigitsOfLabelledSha256) {
  const std::string kek = new_kek();
  std::string labelled("telehealthd key-encryption key id v1");
  labelled.push_back('\0');
  labelled += kek;

  const KeyRing ring = ring_of({kek});

  EXPECT_EQ(kek_id_of(kek), hex_encode(sha256(labelled)).substr(0, 16));
  EXPECT_NE(kek_id_of(kek).substr(0, 8), legacy_id_of(kek));
  EXPECT_EQ(ring.current_kek_id(), kek_id_of(kek));
  EXPECT_TRUE(is_kek_id(kek_id_of(kek)));
  EXPECT_TRUE(is_kek_id(legacy_id_of(kek)));
  EXPECT_FALSE(is_kek_id("0123456789ABCDEF"));
}

TEST(KeyRingTest, KekIdsListTheKeksInOrderWithTheCurrentLast) {
  const std::string first = new_kek();
  const std::string second = new_kek();

  const KeyRing ring = ring_of({first, second});

  EXPECT_EQ(ring.kek_ids(), (std::vector<std::string>{kek_id_of(first), kek_id_of(second)}));
  EXPECT_TRUE(ring.holds_kek(kek_id_of(first)));
  EXPECT_TRUE(ring.holds_kek(legacy_id_of(first)));
  EXPECT_FALSE(ring.holds_kek(kek_id_of(new_kek())));
  EXPECT_TRUE(ring.is_current_kek(kek_id_of(second)));
  EXPECT_FALSE(ring.is_current_kek(kek_id_of(first)));
  EXPECT_FALSE(ring.is_current_kek(legacy_id_of(second)));
}

TEST(KeyRingTest, LastKekIsCurrent) {
  const std::string old_kek = new_kek();
  const std::string new_kek_bytes = new_kek();

  const KeyRing ring = ring_of({old_kek, new_kek_bytes});

  EXPECT_EQ(ring.current_kek_id(), kek_id_of(new_kek_bytes));
}

TEST(KeyRingTest, CreateRejectsEmptyListWrongSizeAndDuplicates) {
  const std::string kek = new_kek();

  const auto empty = KeyRing::create({});
  const auto short_key = KeyRing::create({kek, std::string(31, 'k')});
  const auto duplicate = KeyRing::create({kek, kek});

  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_FALSE(short_key.ok());
  EXPECT_EQ(short_key.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(short_key.error().message().find("key 2 is 31 bytes"), std::string::npos);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code(), ErrorCode::kInvalidArgument);
}

// --- data keys ---

TEST(KeyRingTest, NewDataKeyIsWrappedUnderCurrentKekAndBecomesCurrent) {
  KeyRing ring = ring_of({new_kek()});

  const auto wrapped = ring.new_data_key();

  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(wrapped->dek_id.size(), 16u);
  EXPECT_TRUE(hex_decode(wrapped->dek_id).ok());
  EXPECT_EQ(wrapped->kek_id, ring.current_kek_id());
  EXPECT_EQ(wrapped->purpose, KeyPurpose::kData);
  EXPECT_GT(wrapped->created_at, 0);
  EXPECT_EQ(wrapped->wrapped.size(), 60u);
  EXPECT_EQ(ring.current_dek_id(), wrapped->dek_id);
  EXPECT_EQ(ring.data_key(wrapped->dek_id).value().size(), kKeyRingKeySize);
}

TEST(KeyRingTest, AnotherRingWithTheSameKekLoadsTheSameDataKey) {
  const std::string kek = new_kek();
  KeyRing first = ring_of({kek});
  const WrappedDataKey wrapped = first.new_data_key().value();
  KeyRing second = ring_of({kek});

  const Status loaded = second.load_data_key(wrapped);

  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(second.data_key(wrapped.dek_id).value(), first.data_key(wrapped.dek_id).value());
  EXPECT_EQ(second.current_dek_id(), wrapped.dek_id);
}

TEST(KeyRingTest, LoadNamesTheKekThatIsNotLoaded) {
  KeyRing writer = ring_of({new_kek()});
  const WrappedDataKey wrapped = writer.new_data_key().value();
  KeyRing reader = ring_of({new_kek()});

  const Status loaded = reader.load_data_key(wrapped);

  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(loaded.error().message().find("'" + wrapped.kek_id + "'"), std::string::npos);
  EXPECT_EQ(reader.current_dek_id(), "");
}

TEST(KeyRingTest, LoadFailsWithDataLossForAlteredRecord) {
  const std::string kek = new_kek();
  KeyRing writer = ring_of({kek});
  WrappedDataKey altered = writer.new_data_key().value();
  altered.wrapped[20] = static_cast<char>(altered.wrapped[20] ^ 0x01);
  KeyRing reader = ring_of({kek});

  const Status loaded = reader.load_data_key(altered);

  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code(), ErrorCode::kDataLoss);
}

TEST(KeyRingTest, LoadFailsWithDataLossWhenIdOrPurposeIsRelabelled) {
  const std::string kek = new_kek();
  KeyRing writer = ring_of({kek});
  WrappedDataKey relabelled_id = writer.new_data_key().value();
  relabelled_id.dek_id = "0123456789abcdef";
  WrappedDataKey relabelled_purpose = writer.new_data_key().value();
  relabelled_purpose.purpose = KeyPurpose::kBlindIndex;
  KeyRing reader = ring_of({kek});

  const Status id_loaded = reader.load_key(relabelled_id);
  const Status purpose_loaded = reader.load_key(relabelled_purpose);

  ASSERT_FALSE(id_loaded.ok());
  EXPECT_EQ(id_loaded.error().code(), ErrorCode::kDataLoss);
  ASSERT_FALSE(purpose_loaded.ok());
  EXPECT_EQ(purpose_loaded.error().code(), ErrorCode::kDataLoss);
}

TEST(KeyRingTest, LoadRejectsMalformedIds) {
  KeyRing ring = ring_of({new_kek()});
  WrappedDataKey bad_dek_id = ring.new_data_key().value();
  bad_dek_id.dek_id = "not.an.id";
  WrappedDataKey bad_kek_id = ring.new_data_key().value();
  bad_kek_id.kek_id = "ABCDEF12";

  const Status dek_loaded = ring.load_data_key(bad_dek_id);
  const Status kek_loaded = ring.load_data_key(bad_kek_id);

  ASSERT_FALSE(dek_loaded.ok());
  EXPECT_EQ(dek_loaded.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_FALSE(kek_loaded.ok());
  EXPECT_EQ(kek_loaded.error().code(), ErrorCode::kInvalidArgument);
}

TEST(KeyRingTest, LoadingTheSameKeyTwiceChangesNothing) {
  KeyRing ring = ring_of({new_kek()});
  const WrappedDataKey wrapped = ring.new_data_key().value();
  const std::string key_before(ring.data_key(wrapped.dek_id).value());

  const Status loaded = ring.load_data_key(wrapped);

  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(ring.data_key(wrapped.dek_id).value(), key_before);
  EXPECT_EQ(ring.current_dek_id(), wrapped.dek_id);
}

TEST(KeyRingTest, NewestLoadedDataKeyIsCurrentWhateverTheLoadOrder) {
  const std::string kek = new_kek();
  KeyRing writer = ring_of({kek});
  WrappedDataKey older = writer.new_data_key().value();
  WrappedDataKey newer = writer.new_data_key().value();
  older.created_at = 1000;
  newer.created_at = 2000;
  KeyRing forward = ring_of({kek});
  KeyRing backward = ring_of({kek});

  ASSERT_TRUE(forward.load_data_key(older).ok());
  ASSERT_TRUE(forward.load_data_key(newer).ok());
  ASSERT_TRUE(backward.load_data_key(newer).ok());
  ASSERT_TRUE(backward.load_data_key(older).ok());

  EXPECT_EQ(forward.current_dek_id(), newer.dek_id);
  EXPECT_EQ(backward.current_dek_id(), newer.dek_id);
  EXPECT_TRUE(backward.data_key(older.dek_id).ok());
}

TEST(KeyRingTest, UnknownDataKeyIdIsFailedPrecondition) {
  const KeyRing ring = ring_of({new_kek()});

  const auto key = ring.data_key("0123456789abcdef");
  const auto current = ring.current_key(KeyPurpose::kData);

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(key.error().message().find("0123456789abcdef"), std::string::npos);
  ASSERT_FALSE(current.ok());
  EXPECT_EQ(current.error().code(), ErrorCode::kFailedPrecondition);
}

// --- rotation and checks ---

TEST(KeyRingTest, RewrapMovesKeyUnderCurrentKekKeepingIdAndBytes) {
  const std::string old_kek = new_kek();
  const std::string next_kek = new_kek();
  KeyRing before = ring_of({old_kek});
  const WrappedDataKey original = before.new_data_key().value();
  const KeyRing rotating = ring_of({old_kek, next_kek});

  const auto rewrapped = rotating.rewrap(original);

  ASSERT_TRUE(rewrapped.ok()) << rewrapped.error().message();
  EXPECT_EQ(rewrapped->kek_id, kek_id_of(next_kek));
  EXPECT_EQ(rewrapped->dek_id, original.dek_id);
  EXPECT_EQ(rewrapped->created_at, original.created_at);
  KeyRing after = ring_of({next_kek});
  ASSERT_TRUE(after.load_data_key(*rewrapped).ok());
  EXPECT_EQ(after.data_key(original.dek_id).value(), before.data_key(original.dek_id).value());
}

TEST(KeyRingTest, RecordNamingItsKekByLegacyIdLoadsAndRewrapRenamesIt) {
  const std::string kek = new_kek();
  KeyRing writer = ring_of({kek});
  WrappedDataKey legacy = writer.new_data_key().value();
  legacy.kek_id = legacy_id_of(kek);
  KeyRing reader = ring_of({kek});

  const Status loaded = reader.load_data_key(legacy);
  const auto rewrapped = reader.rewrap(legacy);

  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(reader.data_key(legacy.dek_id).value(), writer.data_key(legacy.dek_id).value());
  ASSERT_TRUE(rewrapped.ok()) << rewrapped.error().message();
  EXPECT_EQ(rewrapped->kek_id, kek_id_of(kek));
}

TEST(KeyRingTest, RewrapRefusesRecordHoldingAnotherKeyThanTheLoadedOne) {
  const std::string kek = new_kek();
  KeyRing ring = ring_of({kek});
  const WrappedDataKey original = ring.new_data_key().value();

  const auto rewrapped = ring.rewrap(impostor_of(original, kek));

  ASSERT_FALSE(rewrapped.ok());
  EXPECT_EQ(rewrapped.error().code(), ErrorCode::kDataLoss);
  EXPECT_NE(rewrapped.error().message().find(original.dek_id), std::string::npos);
}

TEST(KeyRingTest, ReplaceKeksMakesTheNewKekCurrentAndKeepsLoadedKeys) {
  const std::string old_kek = new_kek();
  const std::string next_kek = new_kek();
  KeyRing ring = ring_of({old_kek});
  const WrappedDataKey stored = ring.new_data_key().value();
  const std::string key_before(ring.data_key(stored.dek_id).value());

  const Status replaced = ring.replace_keks({old_kek, next_kek}, {stored});
  const auto rewrapped = ring.rewrap(stored);

  ASSERT_TRUE(replaced.ok()) << replaced.error().message();
  EXPECT_EQ(ring.current_kek_id(), kek_id_of(next_kek));
  EXPECT_EQ(ring.data_key(stored.dek_id).value(), key_before);
  ASSERT_TRUE(rewrapped.ok());
  EXPECT_EQ(rewrapped->kek_id, kek_id_of(next_kek));
}

TEST(KeyRingTest, ReplaceKeksRefusesSetLackingTheKekOfAStoredRecord) {
  const std::string old_kek = new_kek();
  KeyRing ring = ring_of({old_kek});
  const WrappedDataKey stored = ring.new_data_key().value();

  const Status replaced = ring.replace_keks({new_kek()}, {stored});

  ASSERT_FALSE(replaced.ok());
  EXPECT_EQ(replaced.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(replaced.error().message().find(kek_id_of(old_kek)), std::string::npos);
  EXPECT_EQ(ring.kek_ids(), std::vector<std::string>{kek_id_of(old_kek)});
}

TEST(KeyRingTest, ReplaceKeksRefusesRecordHoldingAnotherKeyThanTheLoadedOne) {
  const std::string kek = new_kek();
  KeyRing ring = ring_of({kek});
  const WrappedDataKey original = ring.new_data_key().value();
  const std::string next_kek = new_kek();

  const Status replaced = ring.replace_keks({kek, next_kek}, {impostor_of(original, kek)});

  ASSERT_FALSE(replaced.ok());
  EXPECT_EQ(replaced.error().code(), ErrorCode::kDataLoss);
  EXPECT_EQ(ring.current_kek_id(), kek_id_of(kek));
}

TEST(KeyRingTest, ReplaceKeksDropsAKekThatWrapsNothingStored) {
  const std::string old_kek = new_kek();
  const std::string next_kek = new_kek();
  KeyRing ring = ring_of({old_kek, next_kek});
  const WrappedDataKey stored = ring.new_data_key().value();

  const Status replaced = ring.replace_keks({next_kek}, {stored});

  ASSERT_TRUE(replaced.ok()) << replaced.error().message();
  EXPECT_EQ(ring.kek_ids(), std::vector<std::string>{kek_id_of(next_kek)});
  EXPECT_FALSE(ring.holds_kek(kek_id_of(old_kek)));
}

TEST(KeyRingTest, VerifyKekMatchesChecksWithoutLoading) {
  const std::string kek = new_kek();
  KeyRing writer = ring_of({kek});
  const WrappedDataKey wrapped = writer.new_data_key().value();
  const KeyRing right = ring_of({kek});
  const KeyRing wrong = ring_of({new_kek()});

  const Status matches = right.verify_kek_matches(wrapped);
  const Status mismatch = wrong.verify_kek_matches(wrapped);

  EXPECT_TRUE(matches.ok());
  EXPECT_EQ(right.current_dek_id(), "");
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(mismatch.error().message().find(wrapped.kek_id), std::string::npos);
}

// --- index and integrity keys ---

TEST(KeyRingTest, IndexAndIntegrityKeysAreSeparateFromDataKeys) {
  KeyRing ring = ring_of({new_kek()});
  const WrappedDataKey data = ring.new_data_key().value();

  const WrappedDataKey index = ring.new_index_key().value();
  const WrappedDataKey integrity = ring.new_integrity_key().value();

  EXPECT_EQ(index.purpose, KeyPurpose::kBlindIndex);
  EXPECT_EQ(integrity.purpose, KeyPurpose::kIntegrity);
  EXPECT_EQ(ring.current_dek_id(), data.dek_id);
  EXPECT_EQ(ring.current_key_id(KeyPurpose::kBlindIndex), index.dek_id);
  EXPECT_NE(ring.current_key(KeyPurpose::kBlindIndex).value(),
            ring.current_key(KeyPurpose::kIntegrity).value());
  EXPECT_FALSE(ring.data_key(index.dek_id).ok());
}

TEST(KeyRingTest, TypedLoadRejectsRecordOfAnotherPurpose) {
  const std::string kek = new_kek();
  KeyRing writer = ring_of({kek});
  const WrappedDataKey index = writer.new_index_key().value();
  const WrappedDataKey integrity = writer.new_integrity_key().value();
  KeyRing reader = ring_of({kek});

  const Status as_data = reader.load_data_key(index);
  const Status as_index = reader.load_index_key(index);
  const Status as_integrity = reader.load_integrity_key(integrity);

  ASSERT_FALSE(as_data.ok());
  EXPECT_EQ(as_data.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(as_index.ok());
  EXPECT_TRUE(as_integrity.ok());
  EXPECT_EQ(reader.current_key(KeyPurpose::kBlindIndex).value(),
            writer.current_key(KeyPurpose::kBlindIndex).value());
}

TEST(KeyRingTest, PurposeNamesRoundTrip) {
  for (const KeyPurpose purpose :
       {KeyPurpose::kData, KeyPurpose::kBlindIndex, KeyPurpose::kIntegrity}) {
    EXPECT_EQ(parse_key_purpose(key_purpose_name(purpose)).value(), purpose);
  }
  EXPECT_FALSE(parse_key_purpose("Data").ok());
}

// --- key derivation ---

TEST(KeyRingTest, DeriveKeyMatchesRfc5869TestCase3) {
  // Test case 3 (empty salt and info); HKDF output for 32 bytes is the prefix
  // of the 42-byte answer.
  const std::string okm = derive_key(std::string(22, '\x0b'), "");

  EXPECT_EQ(hex_encode(okm), "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d");
}

TEST(KeyRingTest, DeriveKeyDependsOnInfo) {
  const std::string secret = new_kek();

  EXPECT_NE(derive_key(secret, "telehealth blind index v1"), derive_key(secret, "other"));
  EXPECT_EQ(derive_key(secret, "same").size(), kKeyRingKeySize);
}

// --- concurrency ---

TEST(KeyRingTest, ReadersAndWritersCanRunConcurrently) {
  KeyRing ring = ring_of({new_kek()});
  const WrappedDataKey first = ring.new_data_key().value();
  std::atomic<int> failures = 0;

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!ring.data_key(first.dek_id).ok() || !ring.data_key(ring.current_dek_id()).ok()) {
          ++failures;
        }
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 50; ++i) {
      if (!ring.new_data_key().ok()) {
        ++failures;
      }
    }
  });
  for (std::thread& thread : threads) {
    thread.join();
  }

  EXPECT_EQ(failures.load(), 0);
}

TEST(KeyRingTest, KeksCanBeReplacedWhileKeysAreReadAndRewrapped) {
  const std::string first_kek = new_kek();
  const std::string second_kek = new_kek();
  KeyRing ring = ring_of({first_kek});
  const WrappedDataKey stored = ring.new_data_key().value();
  const std::string key(ring.data_key(stored.dek_id).value());
  std::atomic<int> failures = 0;

  std::thread reader([&] {
    for (int i = 0; i < 500; ++i) {
      const auto rewrapped = ring.rewrap(stored);
      if (ring.data_key(stored.dek_id).value() != key || !rewrapped.ok() ||
          !ring.verify_kek_matches(*rewrapped).ok()) {
        ++failures;
      }
    }
  });
  for (int i = 0; i < 100; ++i) {
    const std::vector<std::string> keks =
        i % 2 == 0 ? std::vector{first_kek, second_kek} : std::vector{second_kek, first_kek};
    if (!ring.replace_keks(keks, {stored}).ok()) {
      ++failures;
    }
  }
  reader.join();

  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace th::crypto
