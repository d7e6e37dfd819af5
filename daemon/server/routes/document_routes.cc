#include "server/routes/document_routes.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <cctype>

#include "server/routes/route_helpers.h"

namespace th::server {
namespace {

using documents::DocumentService;

// The file name as the client sent it: percent-encoded UTF-8, so that any
// name travels in an ASCII header. Sanitised by the service.
Result<std::string> document_name(const ApiRequest& request) {
  const std::string encoded = request.header("X-Document-Name");
  try {
    std::string decoded;
    Poco::URI::decode(encoded, decoded);
    return decoded;
  } catch (const Poco::Exception&) {
    return Error(ErrorCode::kInvalidArgument,
                 "invalid_payload: X-Document-Name must be percent-encoded UTF-8");
  }
}

// Content-Disposition for a stored (already sanitised) name: an ASCII
// fallback, and the exact name in RFC 8187 form.
std::string disposition(const std::string& file_name) {
  std::string ascii;
  std::string encoded;
  for (const char c : file_name) {
    const auto byte = static_cast<unsigned char>(c);
    ascii.push_back(byte < 0x80 ? c : '_');
    if (std::isalnum(byte) != 0 || c == '.' || c == '-' || c == '_') {
      encoded.push_back(c);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      encoded += {'%', kHex[byte >> 4], kHex[byte & 0x0f]};
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

Result<ApiResponse> upload(DocumentService& documents, ServiceContext& context,
                           ApiRequest& request) {
  const std::string content_type = request.header("Content-Type");
  if (documents::allowed_media_type(content_type).empty()) {
    return ApiResponse::error(415, "unsupported_media_type",
                              "a document is application/pdf, image/png, image/jpeg or "
                              "text/plain, named by Content-Type");
  }
  TH_ASSIGN_OR_RETURN(name, document_name(request));
  documents::DocumentUpload upload{request.path_params["id"], content_type, name, request.body};
  auto stored = documents.upload(upload, caller_of(request, context));
  if (!stored.ok() && stored.error().code() == ErrorCode::kResourceExhausted) {
    return ApiResponse::error(413, "payload_too_large", stored.error().message());
  }
  if (!stored.ok()) {
    return stored.error();
  }
  return ApiResponse::json(201, document_json(*stored));
}

Result<ApiResponse> list(DocumentService& documents, ServiceContext& context, ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(listed,
                      documents.list(request.path_params["id"], caller_of(request, context)));
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const documents::Document& document : listed) {
    items->add(document_json(document));
  }
  return items_response(items);
}

Result<ApiResponse> metadata(DocumentService& documents, ServiceContext& context,
                             ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(document,
                      documents.metadata(request.path_params["id"], caller_of(request, context)));
  return ApiResponse::json(200, document_json(document));
}

Result<ApiResponse> content(DocumentService& documents, ServiceContext& context,
                            ApiRequest& request) {
  TH_ASSIGN_OR_RETURN(read,
                      documents.content(request.path_params["id"], caller_of(request, context)));
  ApiResponse response = ApiResponse::text(200, read.document.media_type, std::move(read.content));
  response.headers.emplace_back("Content-Disposition", disposition(read.document.file_name));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

}  // namespace

Poco::JSON::Object::Ptr document_json(const documents::Document& document) {
  Poco::JSON::Object::Ptr json = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  json->set("id", document.id);
  json->set("patient_id", document.patient_id);
  json->set("uploaded_by", document.uploaded_by);
  json->set("created_at", document.created_at);
  json->set("media_type", document.media_type);
  json->set("file_name", document.file_name);
  json->set("size_bytes", document.size_bytes);
  json->set("sha256", document.sha256_hex);
  return json;
}

void add_document_routes(Router& router, DocumentService& documents, ServiceContext& context) {
  const auto bind = [&](auto handler) {
    return [&documents, &context, handler](ApiRequest& request) {
      return handler(documents, context, request);
    };
  };
  router.add("POST", "/api/v1/patients/{id}/documents", Access::permission("document.write"),
             bind(upload), static_cast<std::size_t>(documents.max_bytes()));
  router.add("GET", "/api/v1/patients/{id}/documents", Access::permission("document.read"),
             bind(list));
  router.add("GET", "/api/v1/documents/{id}", Access::permission("document.read"), bind(metadata));
  router.add("GET", "/api/v1/documents/{id}/content", Access::permission("document.read"),
             bind(content));
}

}  // namespace th::server
