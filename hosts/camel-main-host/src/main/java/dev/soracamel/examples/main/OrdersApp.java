package dev.soracamel.examples.main;

import org.apache.camel.main.Main;

/**
 * The whole host: Camel Main reads this module's {@code application.properties} (the {@code orders.*} pipeline
 * and the route files to load); {@code sora:orders} in the routes installs the pipeline from it.
 */
public final class OrdersApp {

    private OrdersApp() {
    }

    public static void main(String[] args) throws Exception {
        new Main(OrdersApp.class).run(args);
    }
}
