package dev.finetune.operator.apiserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;

/** A refused request, answered as kube-apiserver answers it: a metav1.Status with code, reason and message. */
public final class ApiError extends RuntimeException {
    private static final ObjectMapper JSON = new ObjectMapper();
    final int code;
    final String reason;

    ApiError(int code, String reason, String message) {
        super(message);
        this.code = code;
        this.reason = reason;
    }

    /** 422 Invalid: what validation and immutability rules answer. */
    static ApiError invalid(String kind, String name, String causes) {
        return new ApiError(422, "Invalid", kind + " \"" + name + "\" is invalid: " + causes);
    }

    static ApiError conflict(String kind, String name) {
        return new ApiError(409, "Conflict", "Operation cannot be fulfilled on " + kind + " \"" + name
                + "\": the object has been modified; please apply your changes to the latest version and try again");
    }

    MockResponse response() {
        ObjectNode status = JSON.createObjectNode();
        status.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
                .put("message", getMessage()).put("reason", reason).put("code", code);
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(status.toString());
    }
}
