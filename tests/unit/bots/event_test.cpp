// The webhook's envelopes and im.message.receive_v1 messages, in the shapes of Feishu's
// documented examples; when a message is for the bot, and the mention stripping.

#include <gtest/gtest.h>

#include <string>

#include <boost/json/parse.hpp>

#include "bots/feishu/event.hpp"

namespace bots::feishu {
namespace {

namespace json = boost::json;

// The im.message.receive_v1 example of Feishu's "receive message" event page.
constexpr const char* kDocumentedMessage = R"({
  "schema": "2.0",
  "header": {
    "event_id": "5e3702a84e847582be8db7fb73283c02",
    "event_type": "im.message.receive_v1",
    "create_time": "1608725989000",
    "token": "rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV",
    "app_id": "cli_9f5343c580712544",
    "tenant_key": "2ca1d211f64f6438"
  },
  "event": {
    "sender": {
      "sender_id": {
        "union_id": "on_8ed6aa67826108097d9ee143816345",
        "user_id": "e33ggbyz",
        "open_id": "ou_84aad35d084aa403a838cf73ee18467"
      },
      "sender_type": "user",
      "tenant_key": "736588c9260f175e"
    },
    "message": {
      "message_id": "om_5ce6d572455d361153b7cb51da133945",
      "root_id": "om_5ce6d572455d361153b7cb5xxfsdfsdfdsf",
      "parent_id": "om_5ce6d572455d361153b7cb5xxfsdfsdfdsf",
      "create_time": "1609073151345",
      "chat_id": "oc_5ce6d572455d361153b7xx51da133945",
      "chat_type": "group",
      "message_type": "text",
      "content": "{\"text\":\"@_user_1 hello\"}",
      "mentions": [
        {
          "key": "@_user_1",
          "id": {
            "union_id": "on_8ed6aa67826108097d9ee143816345",
            "user_id": "e33ggbyz",
            "open_id": "ou_84aad35d084aa403a838cf73ee18467"
          },
          "name": "Tom",
          "tenant_key": "736588c9260f175e"
        }
      ]
    }
  }
})";

IncomingMessage message_from(const std::string& chat_type, const std::string& text,
                             std::vector<Mention> mentions = {}) {
  IncomingMessage message;
  message.message_id = "om_1";
  message.chat_id = "oc_1";
  message.chat_type = chat_type == "p2p" ? ChatType::kP2p : ChatType::kGroup;
  message.message_type = "text";
  message.text = text;
  message.mentions = std::move(mentions);
  message.sender_type = "user";
  return message;
}

const Mention kBot{"@_user_1", "llmgate", "ou_bot"};
const Mention kAlice{"@_user_2", "Alice", "ou_alice"};

TEST(FeishuEnvelopeTest, ReadsTheDocumentedMessageEvent) {
  auto envelope = parse_envelope(json::parse(kDocumentedMessage));
  ASSERT_TRUE(envelope) << envelope.error().message;
  EXPECT_EQ(envelope->kind, EnvelopeKind::kEvent);
  EXPECT_EQ(envelope->schema, "2.0");
  EXPECT_EQ(envelope->event_id, "5e3702a84e847582be8db7fb73283c02");
  EXPECT_EQ(envelope->event_type, kMessageReceiveEvent);
  EXPECT_EQ(envelope->created_ms, 1608725989000);
  EXPECT_EQ(envelope->token, "rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV");

  auto message = parse_message_event(envelope->event);
  ASSERT_TRUE(message) << message.error().message;
  EXPECT_EQ(message->message_id, "om_5ce6d572455d361153b7cb51da133945");
  EXPECT_EQ(message->chat_id, "oc_5ce6d572455d361153b7xx51da133945");
  EXPECT_EQ(message->chat_type, ChatType::kGroup);
  EXPECT_EQ(message->message_type, "text");
  EXPECT_EQ(message->text, "@_user_1 hello");
  EXPECT_EQ(message->sender_type, "user");
  ASSERT_EQ(message->mentions.size(), 1u);
  EXPECT_EQ(message->mentions[0].key, "@_user_1");
  EXPECT_EQ(message->mentions[0].name, "Tom");
  EXPECT_EQ(message->mentions[0].open_id, "ou_84aad35d084aa403a838cf73ee18467");
  // That mention is the bot (the example's bot is "Tom"): "hello" goes to the model.
  EXPECT_TRUE(addressed_to_bot(*message, "ou_84aad35d084aa403a838cf73ee18467"));
  EXPECT_EQ(prompt_text(*message, "ou_84aad35d084aa403a838cf73ee18467"), "hello");
  EXPECT_FALSE(addressed_to_bot(*message, "ou_someone_else"));
}

TEST(FeishuEnvelopeTest, ACreateTimeThatIsNotDigitsCountsAsAbsent) {
  for (const char* created : {R"("")", R"("16087x")", R"("-5")", "null", R"({"a": 1})", "1.5"}) {
    auto body = std::string(R"({"schema": "2.0", "header": {"event_id": "e", "event_type": "t",
                                 "create_time": )") +
                created + "}}";
    auto envelope = parse_envelope(json::parse(body));
    ASSERT_TRUE(envelope) << created;
    EXPECT_LE(envelope->created_ms, 0) << created;
  }
  auto number = parse_envelope(json::parse(
      R"({"schema": "2.0", "header": {"event_id": "e", "event_type": "t", "create_time": 42}})"));
  ASSERT_TRUE(number);
  EXPECT_EQ(number->created_ms, 42);
}

TEST(FeishuEnvelopeTest, ReadsTheUrlVerification) {
  auto envelope = parse_envelope(json::parse(
      R"({"challenge": "ajls384kdjx98XX", "token": "xxxxxx", "type": "url_verification"})"));
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->kind, EnvelopeKind::kUrlVerification);
  EXPECT_EQ(envelope->challenge, "ajls384kdjx98XX");
  EXPECT_EQ(envelope->token, "xxxxxx");
  auto empty = parse_envelope(json::parse(R"({"token": "t", "type": "url_verification"})"));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().field, "challenge");
}

TEST(FeishuEnvelopeTest, ReadsSchemaOneEvents) {
  auto envelope = parse_envelope(json::parse(
      R"({"ts": "1502199207.7171419", "uuid": "bc447199585340d1f3728d26b1c0297a",
          "token": "41a9425ea7df4536a7623e38fa321bae", "type": "event_callback",
          "event": {"type": "message", "text": "hi"}})"));
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->kind, EnvelopeKind::kEvent);
  EXPECT_EQ(envelope->schema, "");
  EXPECT_EQ(envelope->event_id, "bc447199585340d1f3728d26b1c0297a");
  EXPECT_EQ(envelope->event_type, "message");
  EXPECT_EQ(envelope->token, "41a9425ea7df4536a7623e38fa321bae");
}

TEST(FeishuEnvelopeTest, NamesWhatIsMissing) {
  EXPECT_EQ(parse_envelope(json::parse("[1]")).error().kind, core::ErrorKind::kBadRequest);
  EXPECT_EQ(parse_envelope(json::parse(R"({"schema": "2.0"})")).error().field, "header");
  EXPECT_EQ(parse_envelope(json::parse(R"({"schema": "2.0", "header": {"event_type": "x"}})"))
                .error()
                .field,
            "header.event_id");
  EXPECT_EQ(parse_envelope(json::parse(R"({"schema": "2.0", "header": {"event_id": "e"}})"))
                .error()
                .field,
            "header.event_type");
  EXPECT_EQ(parse_message_event(json::object{}).error().field, "event.message");
  EXPECT_EQ(parse_message_event(json::parse(R"({"message": {"chat_id": "oc"}})").as_object())
                .error()
                .field,
            "event.message.message_id");
  EXPECT_EQ(parse_message_event(json::parse(R"({"message": {"message_id": "om", "chat_id": "oc",
                                "message_type": "text", "content": "not json"}})")
                                    .as_object())
                .error()
                .field,
            "event.message.content");
}

TEST(FeishuEnvelopeTest, ReadsNonTextMessagesWithoutText) {
  auto message = parse_message_event(
      json::parse(R"({"message": {"message_id": "om", "chat_id": "oc", "chat_type": "p2p",
                      "message_type": "image", "content": "{\"image_key\":\"img_1\"}"}})")
          .as_object());
  ASSERT_TRUE(message);
  EXPECT_EQ(message->message_type, "image");
  EXPECT_EQ(message->text, "");
  EXPECT_EQ(message->chat_type, ChatType::kP2p);
}

TEST(FeishuMessageTest, P2pMessagesAreForTheBot) {
  auto message = message_from("p2p", "  what is 2+2?\n");
  EXPECT_TRUE(may_be_for_bot(message));
  EXPECT_TRUE(addressed_to_bot(message, "ou_bot"));
  EXPECT_TRUE(addressed_to_bot(message, ""));
  EXPECT_EQ(prompt_text(message, "ou_bot"), "what is 2+2?");
}

TEST(FeishuMessageTest, GroupMessagesOnlyWhenTheBotIsMentioned) {
  auto plain = message_from("group", "hello everyone");
  EXPECT_FALSE(may_be_for_bot(plain));
  EXPECT_FALSE(addressed_to_bot(plain, "ou_bot"));
  EXPECT_FALSE(addressed_to_bot(plain, ""));

  auto others = message_from("group", "@_user_2 lunch?", {kAlice});
  EXPECT_TRUE(may_be_for_bot(others));  // worth asking who the bot is
  EXPECT_FALSE(addressed_to_bot(others, "ou_bot"));

  auto mentioned = message_from("group", "@_user_1 summarise this", {kBot});
  EXPECT_TRUE(addressed_to_bot(mentioned, "ou_bot"));
}

TEST(FeishuMessageTest, NeverAnswersAnotherBot) {
  auto message = message_from("p2p", "hi");
  message.sender_type = "app";
  EXPECT_FALSE(may_be_for_bot(message));
  EXPECT_FALSE(addressed_to_bot(message, "ou_bot"));
}

TEST(FeishuMessageTest, StripsTheBotsMentionAndNamesOthers) {
  auto message =
      message_from("group", "@_user_1 ask @_user_2 about the report @_user_1", {kBot, kAlice});
  EXPECT_EQ(prompt_text(message, "ou_bot"), "ask @Alice about the report");

  auto in_the_middle = message_from("group", "please @_user_1, translate this", {kBot});
  EXPECT_EQ(prompt_text(in_the_middle, "ou_bot"), "please , translate this");

  auto only_mention = message_from("group", "@_user_1 ", {kBot});
  EXPECT_EQ(prompt_text(only_mention, "ou_bot"), "");
}

TEST(FeishuMessageTest, LongerKeysAreReplacedFirst) {
  std::vector<Mention> mentions = {kBot, {"@_user_10", "Zed", "ou_zed"}};
  auto message = message_from("group", "@_user_1 ping @_user_10", mentions);
  EXPECT_EQ(prompt_text(message, "ou_bot"), "ping @Zed");
}

TEST(FeishuMessageTest, WithoutTheBotsIdTheOpeningMentionIsTheBot) {
  auto message = message_from("group", "  @_user_1 ask @_user_2 why", {kBot, kAlice});
  EXPECT_TRUE(addressed_to_bot(message, ""));
  EXPECT_EQ(prompt_text(message, ""), "ask @Alice why");
}

TEST(FeishuMessageTest, MentionsInP2pChatsAreNames) {
  auto message = message_from("p2p", "what does @_user_2 think?", {kAlice});
  EXPECT_EQ(prompt_text(message, ""), "what does @Alice think?");
}

}  // namespace
}  // namespace bots::feishu
