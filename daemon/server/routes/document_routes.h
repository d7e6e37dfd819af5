// Patients' uploaded documents over REST, checked, scoped and audited by
// DocumentService:
//
//   POST /api/v1/patients/{id}/documents   document.write  raw body; Content-Type is the
//                                           media type; X-Document-Name the file name,
//                                           percent-encoded UTF-8 (optional)
//   GET  /api/v1/patients/{id}/documents   document.read   metadata, newest first
//   GET  /api/v1/documents/{id}            document.read   metadata
//   GET  /api/v1/documents/{id}/content    document.read   the bytes, as an attachment
//
// {id} of a patient is their id or MRN. The upload route's body limit is
// documents.max_bytes (413 beyond it); a media type off the allow-list is
// 415. Content is sent with its stored media type, Content-Disposition:
// attachment and nosniff, so a browser saves it rather than rendering it
// in the daemon's origin.
#pragma once

#include "documents/document_service.h"
#include "server/router.h"
#include "server/service_context.h"

namespace th::server {

void add_document_routes(Router& router, documents::DocumentService& documents,
                         ServiceContext& context);

// The JSON of a document's metadata (never its content).
Poco::JSON::Object::Ptr document_json(const documents::Document& document);

}  // namespace th::server
