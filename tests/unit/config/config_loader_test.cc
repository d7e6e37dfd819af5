#include "config/config_loader.h"

#include <gtest/gtest.h>

#include <string>

#include "config/config_keys.h"
#include "scratch_dir.h"

namespace th {
namespace {

constexpr char kSource[] = "telehealthd.toml";

std::string error_of(std::string_view toml) {
  const auto config = parse_config(toml, kSource);
  if (config.ok()) {
    return "(parsed without error)";
  }
  EXPECT_EQ(config.error().code(), ErrorCode::kInvalidArgument);
  return config.error().message();
}

// Compares every section, ignoring where the settings came from.
void expect_same_settings(Config actual, Config expected) {
  actual.source_path.clear();
  actual.keys_from_file.clear();
  expected.source_path.clear();
  expected.keys_from_file.clear();
  EXPECT_TRUE(actual == expected) << describe_effective_config(actual);
}

TEST(ConfigLoaderTest, DefaultsAreTheDocumentedValues) {
  const Config config;

  EXPECT_EQ(config.server.listen, "127.0.0.1:8443");
  EXPECT_EQ(config.server.worker_threads, 8);
  EXPECT_EQ(config.server.max_connections, 512);
  EXPECT_EQ(config.server.max_body_bytes, 1048576);
  EXPECT_EQ(config.server.header_timeout_seconds, 10);
  EXPECT_EQ(config.server.io_timeout_seconds, 10);
  EXPECT_EQ(config.server.keep_alive_timeout_seconds, 30);
  EXPECT_EQ(config.server.drain_timeout_seconds, 20);
  EXPECT_EQ(config.server.public_base_url, "");
  EXPECT_EQ(config.tls.certificate_file, "/etc/telehealthd/tls/cert.pem");
  EXPECT_EQ(config.tls.key_file, "/etc/telehealthd/tls/key.pem");
  EXPECT_EQ(config.tls.min_version, "1.2");
  EXPECT_TRUE(config.tls.cipher_list.starts_with("ECDHE-ECDSA-AES128-GCM-SHA256:"));
  EXPECT_TRUE(config.tls.cipher_list.ends_with(":ECDHE-RSA-CHACHA20-POLY1305"));
  EXPECT_EQ(config.admin.socket_path, "/run/telehealthd/admin.sock");
  EXPECT_EQ(config.admin.group, "telehealthd-admin");
  EXPECT_EQ(config.admin.socket_mode, "0660");
  EXPECT_EQ(config.storage.url, "sqlite:///var/lib/telehealthd/telehealth.db");
  EXPECT_EQ(config.storage.password_file, "");
  EXPECT_EQ(config.storage.pool_size, 8);
  EXPECT_EQ(config.storage.connect_timeout_seconds, 5);
  EXPECT_EQ(config.storage.startup_timeout_seconds, 60);
  EXPECT_EQ(config.storage.acquire_timeout_ms, 2000);
  EXPECT_EQ(config.log.level, "info");
  EXPECT_EQ(config.log.format, "text");
  EXPECT_EQ(config.node.name, "");
  EXPECT_EQ(config.source_path, "");
}

TEST(ConfigLoaderTest, EmptyFileYieldsDefaults) {
  const auto config = parse_config("", kSource);

  ASSERT_TRUE(config.ok()) << config.error().message();
  expect_same_settings(*config, Config{});
  EXPECT_TRUE(config->keys_from_file.empty());
  EXPECT_EQ(config->source_path, kSource);
}

TEST(ConfigLoaderTest, StoresValuesAndRecordsWhichKeysTheFileSet) {
  const auto config = parse_config(R"(
[server]
listen = "[::1]:9443"
worker_threads = 4
max_body_bytes = 1073741824

[tls]
key_file = "credential:tls-key"
min_version = "1.3"

[log]
format = "json"
)",
                                   kSource);

  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->server.listen, "[::1]:9443");
  EXPECT_EQ(config->server.worker_threads, 4);
  EXPECT_EQ(config->server.max_body_bytes, 1073741824);
  EXPECT_EQ(config->tls.key_file, "credential:tls-key");
  EXPECT_EQ(config->tls.min_version, "1.3");
  EXPECT_EQ(config->log.format, "json");
  EXPECT_EQ(config->server.max_connections, 512);
  EXPECT_EQ(config->keys_from_file, (std::set<std::string>{"server.listen", "server.worker_threads",
                                                           "server.max_body_bytes", "tls.key_file",
                                                           "tls.min_version", "log.format"}));
}

TEST(ConfigLoaderTest, AcceptsDottedKeysAtTopLevel) {
  const auto config =
      parse_config("server.io_timeout_seconds = 5\nlog.level = \"debug\"\n", kSource);

  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->server.io_timeout_seconds, 5);
  EXPECT_EQ(config->log.level, "debug");
}

TEST(ConfigLoaderTest, UnknownKeyIsLocatedAndGetsSuggestion) {
  const auto message = error_of("# comment\n[server]\nlistn = \"127.0.0.1:1\"\n");

  EXPECT_EQ(message,
            "telehealthd.toml:3:1: unknown key 'server.listn' (did you mean 'server.listen'?)");
}

TEST(ConfigLoaderTest, UnknownSectionGetsSuggestion) {
  const auto message = error_of("[servr]\nlisten = \"127.0.0.1:1\"\n");

  EXPECT_EQ(message, "telehealthd.toml:1:2: unknown section 'servr' (did you mean 'server'?)");
}

TEST(ConfigLoaderTest, TransposedLettersCountAsOneTypo) {
  const auto message = error_of("[tsl]\n");

  EXPECT_EQ(message, "telehealthd.toml:1:2: unknown section 'tsl' (did you mean 'tls'?)");
}

TEST(ConfigLoaderTest, KeyInWrongSectionSuggestsItsSection) {
  const auto message = error_of("[tls]\nworker_threads = 4\n");

  EXPECT_EQ(message,
            "telehealthd.toml:2:1: unknown key 'tls.worker_threads' (did you mean "
            "'server.worker_threads'?)");
}

TEST(ConfigLoaderTest, UnrelatedNameGetsNoSuggestion) {
  const auto message = error_of("[server]\ncolour_scheme = \"dark\"\n");

  EXPECT_EQ(message, "telehealthd.toml:2:1: unknown key 'server.colour_scheme'");
}

TEST(ConfigLoaderTest, OverlongUnknownNameGetsNoSuggestion) {
  const std::string name(200, 'x');

  const auto message = error_of("[server]\n" + name + " = 1\n");

  EXPECT_EQ(message, "telehealthd.toml:2:1: unknown key 'server." + name + "'");
}

TEST(ConfigLoaderTest, QuotedKeyWithDotIsNotAPath) {
  const auto message = error_of("\"server.listen\" = \"127.0.0.1:1\"\n");

  EXPECT_TRUE(message.starts_with("telehealthd.toml:1:1: unknown key 'server.listen'")) << message;
}

TEST(ConfigLoaderTest, WrongTypeNamesKeyAndBothTypes) {
  const auto message = error_of("[server]\nworker_threads = \"32\"\n");

  EXPECT_EQ(message,
            "telehealthd.toml:2:18: key 'server.worker_threads' must be an integer, got a string");
}

TEST(ConfigLoaderTest, SectionGivenAsValueIsRejected) {
  const auto message = error_of("server = 5\n");

  EXPECT_EQ(message, "telehealthd.toml:1:1: section 'server' must be a table, got an integer");
}

TEST(ConfigLoaderTest, IntegerOutOfRangeNamesRangeAndValue) {
  const auto message = error_of("\n[server]\nworker_threads = 0\n");

  EXPECT_EQ(message,
            "telehealthd.toml:3:18: key 'server.worker_threads' must be an integer between 1 and "
            "1024, got 0");
}

TEST(ConfigLoaderTest, RangeBoundsAreInclusive) {
  const auto low =
      parse_config("[server]\nmax_connections = 100000\ndrain_timeout_seconds = 0\n", kSource);
  const auto high = parse_config("[server]\nmax_connections = 100001\n", kSource);

  EXPECT_TRUE(low.ok());
  ASSERT_FALSE(high.ok());
  EXPECT_NE(high.error().message().find("between 1 and 100000, got 100001"), std::string::npos);
}

TEST(ConfigLoaderTest, InvalidChoiceListsTheChoices) {
  const auto message = error_of("[log]\nlevel = \"verbose\"\n");

  EXPECT_EQ(message,
            "telehealthd.toml:2:9: key 'log.level' must be one of trace, debug, info, warn, error, "
            "critical, off, got 'verbose'");
}

TEST(ConfigLoaderTest, ListenMustBeNumericAddressAndValidPort) {
  EXPECT_TRUE(parse_config("server.listen = \"0.0.0.0:443\"", kSource).ok());
  EXPECT_TRUE(parse_config("server.listen = \"[::]:65535\"", kSource).ok());

  for (const char* bad : {"localhost:8443", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536",
                          "::1:8443", "[::1]8443", "127.0.0.1:84a3"}) {
    const auto message = error_of(std::string("server.listen = \"") + bad + "\"");
    EXPECT_TRUE(message.starts_with("telehealthd.toml:1:17: key 'server.listen' must be")) << bad;
  }
}

TEST(ConfigLoaderTest, SecretPathsTakeAbsolutePathOrCredential) {
  EXPECT_TRUE(parse_config("tls.key_file = \"credential:tls-key\"", kSource).ok());
  EXPECT_TRUE(parse_config("tls.key_file = \"/srv/key.pem\"", kSource).ok());

  EXPECT_EQ(error_of("tls.key_file = \"key.pem\""),
            "telehealthd.toml:1:16: key 'tls.key_file' must be an absolute path or "
            "credential:NAME, got 'key.pem'");
  EXPECT_NE(error_of("tls.key_file = \"credential:../key\"").find("must be"), std::string::npos);
  EXPECT_NE(error_of("tls.key_file = \"credential:\"").find("must be"), std::string::npos);
}

TEST(ConfigLoaderTest, SocketModeMayNotGrantOthers) {
  EXPECT_TRUE(parse_config("admin.socket_mode = \"660\"", kSource).ok());
  EXPECT_TRUE(parse_config("admin.socket_mode = \"0600\"", kSource).ok());

  EXPECT_NE(error_of("admin.socket_mode = \"0666\"").find("grants others nothing"),
            std::string::npos);
  EXPECT_NE(error_of("admin.socket_mode = \"4660\"").find("must be"), std::string::npos);
  EXPECT_NE(error_of("admin.socket_mode = \"rw-rw----\"").find("must be"), std::string::npos);
}

TEST(ConfigLoaderTest, StorageUrlWithPasswordIsRejectedWithoutEchoingIt) {
  const auto in_userinfo = error_of("storage.url = \"postgresql://th:s3cret@db/th\"");
  const auto in_query =
      error_of("storage.url = \"postgres://db/th?sslmode=require&password=s3cret\"");

  EXPECT_EQ(in_userinfo,
            "telehealthd.toml:1:15: key 'storage.url' must not contain a password; name a file "
            "holding it in storage.password_file");
  EXPECT_EQ(in_query.find("s3cret"), std::string::npos);
  EXPECT_NE(in_query.find("must not contain a password"), std::string::npos);
}

TEST(ConfigLoaderTest, StorageUrlNeedsKnownScheme) {
  EXPECT_TRUE(
      parse_config("storage.url = \"postgresql://th@db.example.org/th?sslmode=verify-full\"",
                   kSource)
          .ok());
  EXPECT_TRUE(parse_config("storage.url = \"sqlite://state/th.db\"", kSource).ok());

  EXPECT_EQ(error_of("storage.url = \"mysql://db/th\""),
            "telehealthd.toml:1:15: key 'storage.url' must start with sqlite:// or postgresql://");
  EXPECT_NE(error_of("storage.url = \"sqlite://\"").find("must name a database file"),
            std::string::npos);
}

TEST(ConfigLoaderTest, CipherListMustSelectATls12Cipher) {
  EXPECT_TRUE(parse_config("tls.cipher_list = \"ECDHE-RSA-AES128-GCM-SHA256\"", kSource).ok());

  EXPECT_NE(error_of("tls.cipher_list = \"TLS_AES_128_GCM_SHA256\"")
                .find("key 'tls.cipher_list' must be an OpenSSL cipher list"),
            std::string::npos);
}

TEST(ConfigLoaderTest, PublicBaseUrlMustBeHttpUrl) {
  EXPECT_TRUE(
      parse_config("server.public_base_url = \"https://clinic.example.org/\"", kSource).ok());

  EXPECT_NE(error_of("server.public_base_url = \"clinic.example.org\"").find("must be empty or"),
            std::string::npos);
  EXPECT_NE(error_of("server.public_base_url = \"https://x.org/?a=b\"").find("must be empty or"),
            std::string::npos);
}

TEST(ConfigLoaderTest, ControlCharactersInValuesAreEscapedInMessages) {
  const auto message = error_of("node.name = \"evil\\u001b[31m\"");

  EXPECT_NE(message.find("got 'evil\\x1b[31m'"), std::string::npos) << message;
}

TEST(ConfigLoaderTest, WorkerThreadsMayNotExceedMaxConnections) {
  const auto message = error_of("[server]\nmax_connections = 16\nworker_threads = 32\n");

  EXPECT_EQ(message,
            "telehealthd.toml:3:18: key 'server.worker_threads' (32) must not exceed key "
            "'server.max_connections' (16)");
}

TEST(ConfigLoaderTest, CrossCheckFallsBackToTheKeyTheFileSet) {
  const auto message = error_of("[server]\nmax_connections = 4\n");

  EXPECT_TRUE(message.starts_with("telehealthd.toml:2:19: key 'server.worker_threads' (8)"))
      << message;
}

TEST(ConfigLoaderTest, PasswordFileRequiresPostgresql) {
  const auto sqlite = error_of("[storage]\npassword_file = \"credential:db-password\"\n");
  const auto postgresql = parse_config(
      "[storage]\nurl = \"postgresql://th@db/th\"\npassword_file = \"credential:db-password\"\n",
      kSource);

  EXPECT_EQ(sqlite,
            "telehealthd.toml:2:17: key 'storage.password_file' applies only to a postgresql:// "
            "storage.url");
  EXPECT_TRUE(postgresql.ok());
}

TEST(ConfigLoaderTest, ReportsEveryProblemInFileOrder) {
  const auto message = error_of("[server]\nworker_threads = 0\nlistn = \"x\"\n[log]\nlevel = 3\n");

  EXPECT_EQ(message,
            "telehealthd.toml:2:18: key 'server.worker_threads' must be an integer between 1 and "
            "1024, got 0\n"
            "telehealthd.toml:3:1: unknown key 'server.listn' (did you mean 'server.listen'?)\n"
            "telehealthd.toml:5:9: key 'log.level' must be a string, got an integer");
}

TEST(ConfigLoaderTest, TomlSyntaxErrorCarriesLineAndColumn) {
  const auto message = error_of("[server]\nworker_threads = 4\nlisten = \n");

  EXPECT_TRUE(message.starts_with("telehealthd.toml:3:")) << message;
}

TEST(ConfigLoaderTest, DuplicateKeyIsASyntaxError) {
  const auto message = error_of("[server]\nworker_threads = 4\nworker_threads = 5\n");

  EXPECT_TRUE(message.starts_with("telehealthd.toml:3:")) << message;
}

TEST(ConfigLoaderTest, LoadsFileAndNamesItInMessages) {
  const test::ScratchDir dir;
  const auto good = dir.write("good.toml", "[node]\nname = \"clinic-a\"\n", 0644);
  const auto bad = dir.write("bad.toml", "[node]\nname = 1\n", 0644);

  const auto loaded = load_config_file(good);
  const auto failed = load_config_file(bad);

  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->node.name, "clinic-a");
  EXPECT_EQ(loaded->source_path, good);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message(),
            bad + ":2:8: key 'node.name' must be a string, got an integer");
}

TEST(ConfigLoaderTest, MissingFileIsNotFound) {
  const test::ScratchDir dir;
  const std::string path = dir.path() + "/absent.toml";

  const auto config = load_config_file(path);

  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(config.error().message(), "read config file '" + path + "': No such file or directory");
}

TEST(ConfigLoaderTest, DirectoryIsNotAConfigFile) {
  const test::ScratchDir dir;

  const auto config = load_config_file(dir.path());

  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message(), "read config file '" + dir.path() + "': not a regular file");
}

TEST(ConfigLoaderTest, VideoTurnUrlsNeedASecretFileAndTheRightSchemes) {
  const auto no_secret = error_of("[video]\nturn_urls = \"turn:turn.example.org:3478\"\n");
  const auto wrong_scheme = error_of("[video]\nstun_urls = \"turn:turn.example.org:3478\"\n");
  const auto not_a_file = error_of("[video]\nturn_secret_file = \"relative/secret\"\n");
  const auto complete = parse_config(
      "[video]\nstun_urls = \"stun:a.example.org:3478,stuns:b.example.org:5349\"\n"
      "turn_urls = \"turn:a.example.org:3478?transport=udp\"\n"
      "turn_secret_file = \"credential:turn-secret\"\nmax_participants = 4\n",
      kSource);

  EXPECT_EQ(no_secret,
            "telehealthd.toml:2:13: key 'video.turn_secret_file' must be set when "
            "'video.turn_urls' is");
  EXPECT_NE(wrong_scheme.find("stun: or stuns: urls"), std::string::npos) << wrong_scheme;
  EXPECT_NE(not_a_file.find("an absolute path or credential:NAME"), std::string::npos)
      << not_a_file;
  ASSERT_TRUE(complete.ok()) << complete.error().message();
  EXPECT_EQ(complete->video.max_participants, 4);
  EXPECT_EQ(error_of("[video]\nmax_participants = 7\n"),
            "telehealthd.toml:2:20: key 'video.max_participants' must be an integer between 2 "
            "and 6, got 7");
}

}  // namespace
}  // namespace th
