package dev.finetune.operator;

import java.net.URI;
import java.util.Arrays;
import java.util.List;

/** An HTTP request to the Kubernetes API as RBAC sees it: "group/resource[/subresource]" and a verb; and its decoded query. */
record ApiRequest(String resource, String verb, String query) {
    static ApiRequest parse(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        List<String> segments = Arrays.stream(uri.getPath().split("/")).filter(s -> !s.isEmpty()).toList();
        String group;
        List<String> rest;
        if (segments.size() >= 3 && segments.get(0).equals("api")) {
            group = "";
            rest = segments.subList(2, segments.size());
        } else if (segments.size() >= 4 && segments.get(0).equals("apis")) {
            group = segments.get(1);
            rest = segments.subList(3, segments.size());
        } else {
            throw new IllegalArgumentException("not a resource request: " + method + " " + pathAndQuery);
        }
        if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
            rest = rest.subList(2, rest.size());
        }
        String resource = group + "/" + rest.get(0) + (rest.size() >= 3 ? "/" + rest.get(2) : "");
        boolean named = rest.size() >= 2;
        String query = uri.getQuery() == null ? "" : uri.getQuery();
        String verb = switch (method) {
            case "GET" -> named ? "get" : query.matches("(^|.*&)watch=(true|1)(&.*|$)") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new IllegalArgumentException("unexpected method " + method + " " + pathAndQuery);
        };
        return new ApiRequest(resource, verb, query);
    }
}
