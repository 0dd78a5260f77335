package dev.finetune.operator.apiserver;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Faults on demand: a test asks for the next N requests matching a method and path to fail in a way a
 * real API server (or the network in front of it) fails. A fault that answers in place of the server
 * leaves the request unapplied; a slow answer applies it and delays the response.
 */
public final class Faults {
    /** How a matching request fails. */
    public sealed interface Fault permits Answer, Slow {}

    /** Answered instead of the server: the request is not applied. */
    public record Answer(String what, java.util.function.Supplier<MockResponse> response) implements Fault {}

    /** Applied, and the answer held back. */
    public record Slow(Duration delay) implements Fault {}

    /** 500 InternalError, as an overloaded or restarting apiserver (or etcd timing out) answers. */
    public static Fault internalError() {
        return new Answer("500", () -> new ApiError(500, "InternalError", "Internal error occurred: injected fault").response());
    }

    /**
     * 409 Conflict, as a write loses a race (an admission webhook or another writer got there first). Unlike a
     * 5xx, fabric8's client does not retry it: the failure reaches the reconcile.
     */
    public static Fault conflict() {
        return new Answer("409", () -> new ApiError(409, "Conflict", "Operation cannot be fulfilled: injected fault").response());
    }

    /** 429 with Retry-After: API Priority and Fairness rejecting a request it has no seat for. */
    public static Fault tooManyRequests(int retryAfterSeconds) {
        return new Answer("429", () -> new ApiError(429, "TooManyRequests",
                "the server has received too many requests and has asked us to try again later").response()
                .setHeader("Retry-After", retryAfterSeconds));
    }

    /**
     * The connection goes silent (a dead load balancer, a half-open TCP connection): no answer comes, and
     * the client's request timeout ends the request with an I/O error. The request is not applied.
     * (The mock's HTTP server cannot reset a connection; a request it never answers is the nearest.)
     */
    public static Fault droppedConnection() {
        return new Answer("dropped", () -> {
            throw new IllegalStateException("injected fault: the connection dropped, no answer");
        });
    }

    /** The request is applied and the answer comes after the delay (a loaded apiserver). */
    public static Fault slow(Duration delay) {
        return new Slow(delay);
    }

    private record Rule(Predicate<RecordedRequest> matches, AtomicInteger left, Fault fault) {}

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final AtomicInteger served = new AtomicInteger();

    /** The next {@code times} requests with this method (null: any) whose path matches the regex fail with the fault. */
    public void inject(String method, String pathRegex, int times, Fault fault) {
        Pattern path = Pattern.compile(pathRegex);
        rules.add(new Rule(r -> (method == null || method.equalsIgnoreCase(r.getMethod())) && path.matcher(r.getPath()).find(),
                new AtomicInteger(times), fault));
    }

    /** How many requests failed by injection so far. */
    public int served() {
        return served.get();
    }

    /** Faults still waiting for a matching request. */
    public int pending() {
        return rules.stream().mapToInt(r -> Math.max(0, r.left().get())).sum();
    }

    /** The response for a request, or the server's own (through {@code server}) when no fault takes it. */
    MockResponse handle(RecordedRequest request, Function<RecordedRequest, MockResponse> server) {
        for (Rule rule : rules) {
            if (rule.matches().test(request) && rule.left().getAndDecrement() > 0) {
                served.incrementAndGet();
                if (rule.fault() instanceof Answer answer) {
                    return answer.response().get();
                }
                MockResponse response = server.apply(request);
                if (response.getBody() == null || response.getBody().size() == 0) {
                    response.setBody("{}");
                }
                return response.setBodyDelay(((Slow) rule.fault()).delay());
            }
        }
        return server.apply(request);
    }
}
