package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.Map;

/** Handlers named Class::method: a POJO, events types, String, a primitive, an error, a layer's class. */
public class Orders {
    public static class Order {
        private String item;
        private int quantity;

        public String getItem() { return item; }
        public void setItem(String item) { this.item = item; }
        public int getQuantity() { return quantity; }
        public void setQuantity(int quantity) { this.quantity = quantity; }
    }

    public static class Receipt {
        private final String summary;
        private final int total;

        public Receipt(String summary, int total) {
            this.summary = summary;
            this.total = total;
        }

        public String getSummary() { return summary; }
        public int getTotal() { return total; }
    }

    public Receipt order(Order order, Context context) {
        return new Receipt(order.getQuantity() + " x " + order.getItem(), order.getQuantity() * 3);
    }

    public String sqs(SQSEvent event, Context context) {
        SQSEvent.SQSMessage first = event.getRecords().get(0);
        return event.getRecords().size() + ":" + first.getBody() + ":" + first.getEventSourceArn();
    }

    public APIGatewayProxyResponseEvent api(APIGatewayProxyRequestEvent request, Context context) {
        return new APIGatewayProxyResponseEvent().withStatusCode(201).withHeaders(Map.of("x-path", request.getPath()))
                .withBody("hello " + request.getQueryStringParameters().get("name"));
    }

    public String upper(String text) {
        return text.toUpperCase();
    }

    public static int twice(int value) {
        return value * 2;
    }

    public String fail(Map<String, Object> event) {
        throw new IllegalStateException("boom");
    }

    public String layered(Map<String, Object> event) throws Exception {
        Class<?> greeting = Class.forName("layer.Greeting", true, Thread.currentThread().getContextClassLoader());
        return (String) greeting.getMethod("who").invoke(null);
    }
}
